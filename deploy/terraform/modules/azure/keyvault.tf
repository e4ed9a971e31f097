resource "azurerm_key_vault" "this" {
  name                          = "kv-${var.name}"
  location                      = azurerm_resource_group.this.location
  resource_group_name           = azurerm_resource_group.this.name
  tenant_id                     = data.azurerm_client_config.current.tenant_id
  sku_name                      = "premium"
  enable_rbac_authorization     = true
  purge_protection_enabled      = true
  soft_delete_retention_days    = 90
  public_network_access_enabled = true
  tags                          = local.tags

  # The data plane answers only the allow-listed admin ranges (Terraform writing secrets) and the
  # private endpoint (the apps); Azure's trusted services keep working.
  network_acls {
    default_action = "Deny"
    bypass         = "AzureServices"
    ip_rules       = var.admin_ip_ranges
  }
}

resource "azurerm_private_endpoint" "vault" {
  name                = "pe-${var.name}-kv"
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  subnet_id           = azurerm_subnet.endpoints.id
  tags                = local.tags

  private_service_connection {
    name                           = "vault"
    private_connection_resource_id = azurerm_key_vault.this.id
    subresource_names              = ["vault"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "vault"
    private_dns_zone_ids = [azurerm_private_dns_zone.this["vault"].id]
  }
}

resource "azurerm_monitor_diagnostic_setting" "vault" {
  name                       = "audit"
  target_resource_id         = azurerm_key_vault.this.id
  log_analytics_workspace_id = azurerm_log_analytics_workspace.this.id

  enabled_log {
    category = "AuditEvent"
  }
}

# Whoever runs Terraform writes the secrets; nobody else gets more than read access to one secret.
resource "azurerm_role_assignment" "deployer_writes_secrets" {
  scope                = azurerm_key_vault.this.id
  role_definition_name = "Key Vault Secrets Officer"
  principal_id         = data.azurerm_client_config.current.object_id
}

# Ephemeral: generated during apply, written through write-only arguments, never stored.
ephemeral "random_password" "database" {
  length      = 40
  special     = false
  min_upper   = 4
  min_lower   = 4
  min_numeric = 4
}

ephemeral "random_password" "jwt" {
  length  = 64
  special = false
}

ephemeral "random_password" "alert_token" {
  length  = 48
  special = false
}

# Written once for a provided secret whose value is set later with `az keyvault secret set`:
# unguessable, so nothing works with it by accident.
ephemeral "random_password" "placeholder" {
  length  = 32
  special = false
}

locals {
  database_url = format("postgresql://%s:%s@%s:5432/%s?sslmode=require", local.database_login,
  ephemeral.random_password.database.result, azurerm_postgresql_flexible_server.this.fqdn, azurerm_postgresql_flexible_server_database.seiko.name)
  generated_values = {
    DATABASE_URL               = local.database_url
    SEIKO_JWT_SECRET           = ephemeral.random_password.jwt.result
    ALERTMANAGER_WEBHOOK_TOKEN = ephemeral.random_password.alert_token.result
  }
  secret_version = {
    DATABASE_URL               = var.secret_versions.database
    SEIKO_JWT_SECRET           = var.secret_versions.jwt
    ALERTMANAGER_WEBHOOK_TOKEN = var.secret_versions.alert_token
  }
}

resource "azurerm_key_vault_secret" "this" {
  for_each     = local.secret_names
  name         = local.vault_secret_name[each.key]
  key_vault_id = azurerm_key_vault.this.id
  content_type = contains(local.generated_secret_names, each.key) ? "generated" : "provided"
  value_wo = (contains(local.generated_secret_names, each.key) ? local.generated_values[each.key]
  : try(var.provided_secrets[each.key], ephemeral.random_password.placeholder.result))
  value_wo_version = lookup(local.secret_version, each.key, var.secret_versions.provided)
  tags             = local.tags

  depends_on = [azurerm_role_assignment.deployer_writes_secrets]
}
