locals {
  database_login = "seiko"
}

# PostgreSQL 17 inside the virtual network, zone-redundant HA, geo-redundant backups. The password is
# generated at apply time and written only to the server and to Key Vault (DATABASE_URL).
resource "azurerm_postgresql_flexible_server" "this" {
  name                              = "psql-${var.name}"
  resource_group_name               = azurerm_resource_group.this.name
  location                          = azurerm_resource_group.this.location
  version                           = "17"
  sku_name                          = var.database_sku
  storage_mb                        = var.database_storage_mb
  auto_grow_enabled                 = true
  zone                              = "1"
  delegated_subnet_id               = azurerm_subnet.database.id
  private_dns_zone_id               = azurerm_private_dns_zone.this["postgres"].id
  public_network_access_enabled     = false
  administrator_login               = local.database_login
  administrator_password_wo         = ephemeral.random_password.database.result
  administrator_password_wo_version = var.secret_versions.database
  backup_retention_days             = 35
  geo_redundant_backup_enabled      = true
  tags                              = local.tags

  authentication {
    password_auth_enabled         = true
    active_directory_auth_enabled = false
  }

  high_availability {
    mode                      = "ZoneRedundant"
    standby_availability_zone = "2"
  }

  depends_on = [azurerm_private_dns_zone_virtual_network_link.this]
}

resource "azurerm_postgresql_flexible_server_database" "seiko" {
  name      = "seiko"
  server_id = azurerm_postgresql_flexible_server.this.id
  charset   = "UTF8"
  collation = "en_US.utf8"
}

# The extensions the migrations create (db/migrations): pgvector for embeddings, pg_trgm, unaccent
# and fuzzystrmatch for search. Azure refuses CREATE EXTENSION for anything not listed here.
resource "azurerm_postgresql_flexible_server_configuration" "extensions" {
  name      = "azure.extensions"
  server_id = azurerm_postgresql_flexible_server.this.id
  value     = "VECTOR,PG_TRGM,UNACCENT,FUZZYSTRMATCH"
}

resource "azurerm_postgresql_flexible_server_configuration" "settings" {
  for_each = {
    require_secure_transport     = "on"
    ssl_min_protocol_version     = "TLSv1.2"
    log_checkpoints              = "on"
    log_connections              = "on"
    log_disconnections           = "on"
    log_min_duration_statement   = "500"
    "connection_throttle.enable" = "on"
  }
  name      = each.key
  server_id = azurerm_postgresql_flexible_server.this.id
  value     = each.value
}

resource "azurerm_monitor_diagnostic_setting" "database" {
  name                       = "postgres-logs"
  target_resource_id         = azurerm_postgresql_flexible_server.this.id
  log_analytics_workspace_id = azurerm_log_analytics_workspace.this.id

  enabled_log {
    category = "PostgreSQLLogs"
  }
}
