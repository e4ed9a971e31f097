variable "subscription_id" {
  description = "The Azure subscription to deploy into."
  type        = string
}

variable "location" {
  description = "Azure region with availability zones."
  type        = string
  default     = "westeurope"
}

variable "image_digest" {
  description = "Digest (sha256:...) of the tested image, imported into the registry by the release pipeline."
  type        = string
}

variable "admin_ip_ranges" {
  description = "CIDRs of the CI runners or operators that run Terraform (they write the generated secrets to Key Vault)."
  type        = list(string)
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
