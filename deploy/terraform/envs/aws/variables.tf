variable "region" {
  description = "AWS region."
  type        = string
  default     = "eu-west-1"
}

variable "availability_zones" {
  description = "Two or three zones of the region."
  type        = list(string)
  default     = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
}

variable "certificate_arn" {
  description = "ACM certificate ARN for the store's domain, in the same region."
  type        = string
}

variable "image_digest" {
  description = "Digest (sha256:...) of the tested image, copied into ECR by the release pipeline."
  type        = string
}

variable "alarm_email" {
  description = "Who gets the alarms (confirm the subscription mail); empty for none."
  type        = string
  default     = ""
}

variable "provided_secrets" {
  description = "Third-party secret values (ANTHROPIC_API_KEY, STRIPE_SECRET_KEY, ...), written when secret_versions.provided changes; pass TF_VAR_provided_secrets from the CI secret store. Never stored."
  type        = map(string)
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "secret_versions" {
  description = "Bump to rotate: database, jwt, alert_token, provided."
  type = object({
    database    = number
    jwt         = number
    alert_token = number
    provided    = number
  })
  default = { database = 1, jwt = 1, alert_token = 1, provided = 1 }
}
