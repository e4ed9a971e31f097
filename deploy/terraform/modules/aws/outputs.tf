# Names and addresses only: no output carries a secret (the secrets never enter the state).
output "load_balancer_dns_name" {
  description = "Point the store's domain (the certificate's) at this name with an alias record."
  value       = aws_lb.this.dns_name
}

output "ecr_repository_url" {
  description = "Where the release pipeline copies the image: crane copy ghcr.io/<owner>/seiko-store@sha256:... <this>@sha256:..."
  value       = aws_ecr_repository.this.repository_url
}

output "secret_arns" {
  description = "Variable name to Secrets Manager ARN; set a provided one with aws secretsmanager put-secret-value --secret-id <arn> --secret-string file://<path>."
  value       = { for k, s in aws_secretsmanager_secret.this : k => s.arn }
}

output "cluster_name" {
  description = "The ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "migrate_task_definition_arn" {
  description = "Run it before moving the services to a new image: aws ecs run-task --cluster <cluster> --task-definition <this> --launch-type FARGATE --network-configuration <migrate_network_configuration>."
  value       = aws_ecs_task_definition.this["migrate"].arn
}

output "migrate_network_configuration" {
  description = "The awsvpcConfiguration for aws ecs run-task of the migrations (private subnets, the tasks' security group)."
  value = {
    subnets        = aws_subnet.private[*].id
    securityGroups = [aws_security_group.tasks.id]
    assignPublicIp = "DISABLED"
  }
}

output "database_endpoint" {
  description = "RDS endpoint (host:port), reachable from the tasks only."
  value       = aws_db_instance.this.endpoint
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm notifies; subscribe a pager or chat integration to it."
  value       = aws_sns_topic.alarms.arn
}
