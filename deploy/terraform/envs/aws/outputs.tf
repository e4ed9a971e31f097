output "load_balancer_dns_name" {
  description = "Alias the store's domain to this."
  value       = module.store.load_balancer_dns_name
}

output "ecr_repository_url" {
  description = "Copy the tested image here before an apply with its digest."
  value       = module.store.ecr_repository_url
}

output "migrate_task_definition_arn" {
  description = "Run before moving the services to a new image."
  value       = module.store.migrate_task_definition_arn
}

output "migrate_network_configuration" {
  description = "Network configuration for the migrations task."
  value       = module.store.migrate_network_configuration
}

output "alarm_topic_arn" {
  description = "Where the alarms go."
  value       = module.store.alarm_topic_arn
}
