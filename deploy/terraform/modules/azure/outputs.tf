# Names and addresses only: no output carries a secret (the secrets never enter the state).
output "url" {
  description = "The store's public address (Front Door endpoint)."
  value       = "https://${azurerm_cdn_frontdoor_endpoint.this.host_name}"
}

output "resource_group_name" {
  description = "The resource group holding everything."
  value       = azurerm_resource_group.this.name
}

output "registry_login_server" {
  description = "Where the release pipeline imports the image: az acr import --name <registry> --source ghcr.io/<owner>/seiko-store@sha256:..."
  value       = azurerm_container_registry.this.login_server
}

output "key_vault_name" {
  description = "Key Vault with the app's secrets; set a provided one with az keyvault secret set --vault-name <this> --name <secret> --file <path>."
  value       = azurerm_key_vault.this.name
}

output "key_vault_secret_names" {
  description = "Variable name to Key Vault secret name."
  value       = local.vault_secret_name
}

output "migrate_job_name" {
  description = "Start it before moving the apps to a new image: az containerapp job start -g <group> -n <this>."
  value       = azurerm_container_app_job.migrate.name
}

output "database_host" {
  description = "PostgreSQL host, resolvable inside the virtual network only."
  value       = azurerm_postgresql_flexible_server.this.fqdn
}
