# Production on Azure: Container Apps behind Front Door, PostgreSQL Flexible Server with pgvector,
# Key Vault, a private registry. `terraform apply` needs the image digest and the admin ranges;
# everything secret is generated in Azure or read from TF_VAR_provided_secrets.
module "store" {
  source = "../../modules/azure"

  name            = "seikoprod"
  location        = var.location
  image_digest    = var.image_digest
  admin_ip_ranges = var.admin_ip_ranges

  provided_secret_names = ["ANTHROPIC_API_KEY", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY"]
  provided_secrets      = var.provided_secrets
  secret_versions       = var.secret_versions

  settings = {
    SEIKO_CORS_ORIGINS     = jsonencode(["https://shop.example.com"])
    SEIKO_DAILY_BUDGET_USD = "25"
    SEIKO_CLAUDE_MODEL     = "claude-sonnet-5-5"
    LANGFUSE_HOST          = "https://cloud.langfuse.com"
  }

  api_replicas    = { min = 2, max = 10 }
  worker_replicas = 2

  tags = { environment = "production" }
}
