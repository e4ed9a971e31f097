data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  tags       = merge({ app = "seiko-store", managed-by = "terraform" }, var.tags)
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  # Secrets: generated here (never in state) or provided by operators.
  generated_secret_names = toset(["DATABASE_URL", "SEIKO_JWT_SECRET", "ALERTMANAGER_WEBHOOK_TOKEN"])
  secret_names           = setunion(local.generated_secret_names, var.provided_secret_names)
  # Secrets Manager name: <name>/seiko- + the variable without SEIKO_, in kebab case (the names
  # deploy/k8s's ExternalSecret reads, under this deployment's prefix).
  store_secret_name = { for v in local.secret_names : v => "${var.name}/seiko-${replace(lower(trimprefix(v, "SEIKO_")), "_", "-")}" }

  # What each component may read; each has its own execution role, allowed exactly these secrets.
  component_wants = {
    api     = ["DATABASE_URL", "SEIKO_JWT_SECRET", "ALERTMANAGER_WEBHOOK_TOKEN", "ANTHROPIC_API_KEY", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY", "SEIKO_BOOTSTRAP_ADMIN_PASSWORD", "SEIKO_METRICS_TOKEN"]
    worker  = ["DATABASE_URL", "SEIKO_JWT_SECRET", "ANTHROPIC_API_KEY", "LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY"]
    migrate = ["DATABASE_URL", "SEIKO_JWT_SECRET"]
  }
  component_secrets = { for c, wants in local.component_wants : c => [for v in wants : v if contains(local.secret_names, v)] }

  image = "${aws_ecr_repository.this.repository_url}@${var.image_digest}"
  # The root filesystem is read-only: HOME, caches and the data folder live on the /tmp volume.
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
