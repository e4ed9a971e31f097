variable "name" {
  description = "Short lowercase prefix for every resource name, e.g. seikoprod (3-12 letters and digits)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{2,11}$", var.name))
    error_message = "name must be 3-12 lowercase letters and digits, starting with a letter."
  }
}

variable "location" {
  description = "Azure region, e.g. westeurope. Needs availability zones (zone-redundant database and apps)."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "address_space" {
  description = "The virtual network's range; split into the apps, database and private-endpoint subnets."
  type        = string
  default     = "10.40.0.0/16"
}

variable "image_repository" {
  description = "Repository of the store's image in this module's registry, e.g. seiko-store (imported from GHCR by the release pipeline)."
  type        = string
  default     = "seiko-store"
}

variable "image_digest" {
  description = "Digest of the image to run (sha256:...), as printed by the image workflow; images are pulled by digest only."
  type        = string

  validation {
    condition     = can(regex("^sha256:[a-f0-9]{64}$", var.image_digest))
    error_message = "image_digest must look like sha256:<64 hex digits>."
  }
}

variable "admin_ip_ranges" {
  description = "CIDRs allowed to reach Key Vault's data plane (where Terraform writes the generated secrets): the CI runner or operator addresses. Everything else is denied."
  type        = list(string)
}

variable "settings" {
  description = "Plain (non-secret) settings for every container, e.g. { SEIKO_CORS_ORIGINS = \"[\\\"https://shop.example.com\\\"]\" }."
  type        = map(string)
  default     = {}
}

variable "provided_secret_names" {
  description = "Third-party secrets this deployment uses, by variable name (ANTHROPIC_API_KEY, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, LANGFUSE_PUBLIC_KEY, LANGFUSE_SECRET_KEY). Key Vault holds them; their values come from provided_secrets or `az keyvault secret set`."
  type        = set(string)
  default     = []

  validation {
    condition = alltrue([for n in var.provided_secret_names : contains(
    ["ANTHROPIC_API_KEY", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY", "SEIKO_BOOTSTRAP_ADMIN_PASSWORD"], n)])
    error_message = "provided_secret_names takes the app's secret variable names only."
  }
}

variable "provided_secrets" {
  description = "Values for provided_secret_names, written when secret_versions.provided changes (e.g. TF_VAR_provided_secrets from the CI secret store). Ephemeral: never stored in state or plan. Left out, a placeholder is written once and the real value is set with `az keyvault secret set`."
  type        = map(string)
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "secret_versions" {
  description = "Bump a number to write a new value: database (new generated password, applied to the server and DATABASE_URL together), jwt, alert_token, provided. Restart the apps afterwards."
  type = object({
    database    = number
    jwt         = number
    alert_token = number
    provided    = number
  })
  default = { database = 1, jwt = 1, alert_token = 1, provided = 1 }
}

variable "database_sku" {
  description = "PostgreSQL Flexible Server SKU (General Purpose or Memory Optimized: zone-redundant HA needs one of them)."
  type        = string
  default     = "GP_Standard_D2ds_v5"
}

variable "database_storage_mb" {
  description = "PostgreSQL storage in MB (grows automatically)."
  type        = number
  default     = 65536
}

variable "api_replicas" {
  description = "Minimum and maximum API replicas; HTTP concurrency scales between them."
  type        = object({ min = number, max = number })
  default     = { min = 2, max = 10 }
}

variable "worker_replicas" {
  description = "Worker replicas (jobs are claimed with SKIP LOCKED, so several may run)."
  type        = number
  default     = 1
}
