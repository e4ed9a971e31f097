variable "name" {
  description = "Short lowercase prefix for every resource name, e.g. seiko-prod."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,20}$", var.name))
    error_message = "name must be 3-21 lowercase letters, digits and dashes, starting with a letter."
  }
}

variable "tags" {
  description = "Tags added to every resource (besides the provider's default_tags)."
  type        = map(string)
  default     = {}
}

variable "vpc_cidr" {
  description = "The VPC's range, split into public (load balancer, NAT) and private (tasks, database) subnets per zone."
  type        = string
  default     = "10.50.0.0/16"
}

variable "availability_zones" {
  description = "Two or three availability zones; the database runs Multi-AZ across them and tasks spread over them."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 3
    error_message = "Use two or three availability zones."
  }
}

variable "certificate_arn" {
  description = "ACM certificate for the load balancer's HTTPS listener (the store's domain)."
  type        = string
}

variable "image_digest" {
  description = "Digest of the image in this module's ECR repository (sha256:...), copied from GHCR by the release pipeline; tasks pull by digest only."
  type        = string

  validation {
    condition     = can(regex("^sha256:[a-f0-9]{64}$", var.image_digest))
    error_message = "image_digest must look like sha256:<64 hex digits>."
  }
}

variable "settings" {
  description = "Plain (non-secret) settings for every container, e.g. { SEIKO_CORS_ORIGINS = \"[\\\"https://shop.example.com\\\"]\" }."
  type        = map(string)
  default     = {}
}

variable "provided_secret_names" {
  description = "Third-party secrets this deployment uses, by variable name (ANTHROPIC_API_KEY, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, LANGFUSE_PUBLIC_KEY, LANGFUSE_SECRET_KEY). Secrets Manager holds them; their values come from provided_secrets or `aws secretsmanager put-secret-value`."
  type        = set(string)
  default     = []

  validation {
    condition = alltrue([for n in var.provided_secret_names : contains(
    ["ANTHROPIC_API_KEY", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY", "SEIKO_BOOTSTRAP_ADMIN_PASSWORD"], n)])
    error_message = "provided_secret_names takes the app's secret variable names only."
  }
}

variable "provided_secrets" {
  description = "Values for provided_secret_names, written when secret_versions.provided changes (e.g. TF_VAR_provided_secrets from the CI secret store). Ephemeral: never stored in state or plan. Left out, a placeholder is written once and the real value is set with `aws secretsmanager put-secret-value`."
  type        = map(string)
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "secret_versions" {
  description = "Bump a number to write a new value: database (new generated password, applied to RDS and DATABASE_URL together), jwt, alert_token, provided. Redeploy the services afterwards."
  type = object({
    database    = number
    jwt         = number
    alert_token = number
    provided    = number
  })
  default = { database = 1, jwt = 1, alert_token = 1, provided = 1 }
}

variable "database_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.m7g.large"
}

variable "database_storage_gb" {
  description = "Initial RDS storage in GB; it grows automatically up to ten times this."
  type        = number
  default     = 50
}

variable "api_count" {
  description = "Minimum and maximum API tasks; CPU target tracking scales between them."
  type        = object({ min = number, max = number })
  default     = { min = 2, max = 10 }
}

variable "worker_count" {
  description = "Worker tasks (jobs are claimed with SKIP LOCKED, so several may run)."
  type        = number
  default     = 1
}

variable "alarm_email" {
  description = "Address subscribed to the alarm topic (confirm the subscription mail); empty for none."
  type        = string
  default     = ""
}

variable "log_retention_days" {
  description = "How long CloudWatch keeps logs."
  type        = number
  default     = 365
}
