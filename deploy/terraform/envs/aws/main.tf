# Production on AWS: ECS Fargate behind an ALB with WAF, RDS PostgreSQL Multi-AZ (pgvector),
# Secrets Manager, ECR, CloudWatch alarms. Everything secret is generated in AWS or read from
# TF_VAR_provided_secrets.
module "store" {
  source = "../../modules/aws"

  name               = "seiko-prod"
  availability_zones = var.availability_zones
  certificate_arn    = var.certificate_arn
  image_digest       = var.image_digest
  alarm_email        = var.alarm_email

  provided_secret_names = ["ANTHROPIC_API_KEY", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY"]
  provided_secrets      = var.provided_secrets
  secret_versions       = var.secret_versions

  settings = {
    SEIKO_CORS_ORIGINS     = jsonencode(["https://shop.example.com"])
    SEIKO_DAILY_BUDGET_USD = "25"
    SEIKO_CLAUDE_MODEL     = "claude-sonnet-5-5"
    LANGFUSE_HOST          = "https://cloud.langfuse.com"
  }

  api_count    = { min = 2, max = 10 }
  worker_count = 2
}
