data "azurerm_client_config" "current" {}

locals {
  tags = merge({ app = "seiko-store", managed-by = "terraform" }, var.tags)

  # Secrets: generated here (never leave Azure, never in state) or provided by operators.
  generated_secret_names = toset(["DATABASE_URL", "SEIKO_JWT_SECRET", "ALERTMANAGER_WEBHOOK_TOKEN"])
  secret_names           = setunion(local.generated_secret_names, var.provided_secret_names)
  # Key Vault name: seiko- + the variable without SEIKO_, in kebab case, as deploy/k8s's ExternalSecret reads them.
  vault_secret_name = { for v in local.secret_names : v => "seiko-${replace(lower(trimprefix(v, "SEIKO_")), "_", "-")}" }
  # Container Apps secret names: lowercase and dashes.
  app_secret_name = { for v in local.secret_names : v => replace(lower(v), "_", "-") }

  # What each component may read; each has its own identity, granted exactly these secrets.
  component_wants = {
    api     = ["DATABASE_URL", "SEIKO_JWT_SECRET", "ALERTMANAGER_WEBHOOK_TOKEN", "ANTHROPIC_API_KEY", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY", "SEIKO_BOOTSTRAP_ADMIN_PASSWORD", "SEIKO_METRICS_TOKEN"]
    worker  = ["DATABASE_URL", "SEIKO_JWT_SECRET", "ANTHROPIC_API_KEY", "LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY"]
    migrate = ["DATABASE_URL", "SEIKO_JWT_SECRET"]
  }
  component_secrets = { for c, wants in local.component_wants : c => [for v in wants : v if contains(local.secret_names, v)] }
  grants            = merge([for c, names in local.component_secrets : { for v in names : "${c}/${v}" => { component = c, secret = v } }]...)

  image = "${azurerm_container_registry.this.login_server}/${var.image_repository}@${var.image_digest}"
  # The root filesystem is not writable on purpose: HOME, caches and the data folder live on /tmp.
  runtime_settings = merge({
    SEIKO_ENV               = "production"
    SEIKO_LOG_JSON          = "true"
    HOME                    = "/tmp"
    XDG_CACHE_HOME          = "/tmp/.cache"
    SEIKO_DATA_DIR          = "/tmp/seiko"
    PYTHONDONTWRITEBYTECODE = "1"
    HF_HUB_OFFLINE          = "1"
  }, var.settings)
}

resource "azurerm_resource_group" "this" {
  name     = "rg-${var.name}"
  location = var.location
  tags     = local.tags
}

resource "azurerm_log_analytics_workspace" "this" {
  name                = "log-${var.name}"
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  sku                 = "PerGB2018"
  retention_in_days   = 90
  tags                = local.tags
}
