output "url" {
  description = "The store's public address."
  value       = module.store.url
}

output "registry_login_server" {
  description = "Import the tested image here before an apply with its digest."
  value       = module.store.registry_login_server
}

output "key_vault_name" {
  description = "Where the app's secrets live."
  value       = module.store.key_vault_name
}

output "migrate_job_name" {
  description = "Start before moving the apps to a new image."
  value       = module.store.migrate_job_name
}
