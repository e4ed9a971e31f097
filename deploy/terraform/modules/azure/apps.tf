# Internal environment: nothing reaches the apps except through Front Door's private link.
resource "azurerm_container_app_environment" "this" {
  name                               = "cae-${var.name}"
  location                           = azurerm_resource_group.this.location
  resource_group_name                = azurerm_resource_group.this.name
  logs_destination                   = "log-analytics"
  log_analytics_workspace_id         = azurerm_log_analytics_workspace.this.id
  infrastructure_subnet_id           = azurerm_subnet.apps.id
  infrastructure_resource_group_name = "rg-${var.name}-apps-infra"
  internal_load_balancer_enabled     = true
  zone_redundancy_enabled            = true
  tags                               = local.tags

  workload_profile {
    name                  = "Consumption"
    workload_profile_type = "Consumption"
  }
}

locals {
  containers = {
    api = {
      command = ["seiko", "api", "--host", "0.0.0.0", "--port", "8000"]
      cpu     = 1.0
      memory  = "2Gi"
      # Only Front Door reaches the API (through the environment's ingress), so every peer is a proxy.
      env = { SEIKO_SCHEDULER = "true", SEIKO_FORWARDED_ALLOW_IPS = "*" }
    }
    worker = {
      command = ["seiko", "worker"]
      cpu     = 0.5
      memory  = "1Gi"
      env     = { SEIKO_WORKER_METRICS_PORT = "9100", SEIKO_WORKER_METRICS_HOST = "0.0.0.0" }
    }
    migrate = {
      command = ["seiko", "migrate"]
      cpu     = 0.5
      memory  = "1Gi"
      env     = {}
    }
  }
}

resource "azurerm_container_app" "api" {
  name                         = "ca-${var.name}-api"
  resource_group_name          = azurerm_resource_group.this.name
  container_app_environment_id = azurerm_container_app_environment.this.id
  revision_mode                = "Single"
  workload_profile_name        = "Consumption"
  tags                         = local.tags

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.this["api"].id]
  }

  registry {
    server   = azurerm_container_registry.this.login_server
    identity = azurerm_user_assigned_identity.this["api"].id
  }

  dynamic "secret" {
    for_each = toset(local.component_secrets.api)
    content {
      name                = local.app_secret_name[secret.value]
      key_vault_secret_id = azurerm_key_vault_secret.this[secret.value].versionless_id
      identity            = azurerm_user_assigned_identity.this["api"].id
    }
  }

  ingress {
    # "External" to the environment, whose load balancer is internal to the virtual network.
    external_enabled           = true
    target_port                = 8000
    transport                  = "http"
    allow_insecure_connections = false

    traffic_weight {
      latest_revision = true
      percentage      = 100
    }
  }

  template {
    min_replicas = var.api_replicas.min
    max_replicas = var.api_replicas.max

    http_scale_rule {
      name                = "concurrency"
      concurrent_requests = "40"
    }

    volume {
      name         = "tmp"
      storage_type = "EmptyDir"
    }

    container {
      name    = "api"
      image   = local.image
      command = local.containers.api.command
      cpu     = local.containers.api.cpu
      memory  = local.containers.api.memory

      dynamic "env" {
        for_each = merge(local.runtime_settings, local.containers.api.env)
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = toset(local.component_secrets.api)
        content {
          name        = env.value
          secret_name = local.app_secret_name[env.value]
        }
      }

      volume_mounts {
        name = "tmp"
        path = "/tmp"
      }

      startup_probe {
        transport               = "HTTP"
        port                    = 8000
        path                    = "/health"
        interval_seconds        = 5
        failure_count_threshold = 30
      }

      liveness_probe {
        transport               = "HTTP"
        port                    = 8000
        path                    = "/health"
        interval_seconds        = 10
        failure_count_threshold = 3
      }

      readiness_probe {
        transport               = "HTTP"
        port                    = 8000
        path                    = "/ready"
        interval_seconds        = 5
        failure_count_threshold = 2
      }
    }
  }

  depends_on = [azurerm_role_assignment.pull, azurerm_role_assignment.read_secret]
}

resource "azurerm_container_app" "worker" {
  name                         = "ca-${var.name}-worker"
  resource_group_name          = azurerm_resource_group.this.name
  container_app_environment_id = azurerm_container_app_environment.this.id
  revision_mode                = "Single"
  workload_profile_name        = "Consumption"
  tags                         = local.tags

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.this["worker"].id]
  }

  registry {
    server   = azurerm_container_registry.this.login_server
    identity = azurerm_user_assigned_identity.this["worker"].id
  }

  dynamic "secret" {
    for_each = toset(local.component_secrets.worker)
    content {
      name                = local.app_secret_name[secret.value]
      key_vault_secret_id = azurerm_key_vault_secret.this[secret.value].versionless_id
      identity            = azurerm_user_assigned_identity.this["worker"].id
    }
  }

  template {
    min_replicas = var.worker_replicas
    max_replicas = var.worker_replicas

    volume {
      name         = "tmp"
      storage_type = "EmptyDir"
    }

    container {
      name    = "worker"
      image   = local.image
      command = local.containers.worker.command
      cpu     = local.containers.worker.cpu
      memory  = local.containers.worker.memory

      dynamic "env" {
        for_each = merge(local.runtime_settings, local.containers.worker.env)
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = toset(local.component_secrets.worker)
        content {
          name        = env.value
          secret_name = local.app_secret_name[env.value]
        }
      }

      volume_mounts {
        name = "tmp"
        path = "/tmp"
      }

      # Alive while its metrics listener answers; a database outage is no reason to restart it.
      liveness_probe {
        transport               = "HTTP"
        port                    = 9100
        path                    = "/metrics"
        interval_seconds        = 20
        failure_count_threshold = 3
      }
    }
  }

  depends_on = [azurerm_role_assignment.pull, azurerm_role_assignment.read_secret]
}

# `az containerapp job start` runs the migrations before the release pipeline moves the apps to a new image.
resource "azurerm_container_app_job" "migrate" {
  name                         = "caj-${var.name}-migrate"
  location                     = azurerm_resource_group.this.location
  resource_group_name          = azurerm_resource_group.this.name
  container_app_environment_id = azurerm_container_app_environment.this.id
  workload_profile_name        = "Consumption"
  replica_timeout_in_seconds   = 600
  replica_retry_limit          = 2
  tags                         = local.tags

  manual_trigger_config {
    parallelism              = 1
    replica_completion_count = 1
  }

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.this["migrate"].id]
  }

  registry {
    server   = azurerm_container_registry.this.login_server
    identity = azurerm_user_assigned_identity.this["migrate"].id
  }

  dynamic "secret" {
    for_each = toset(local.component_secrets.migrate)
    content {
      name                = local.app_secret_name[secret.value]
      key_vault_secret_id = azurerm_key_vault_secret.this[secret.value].versionless_id
      identity            = azurerm_user_assigned_identity.this["migrate"].id
    }
  }

  template {
    volume {
      name         = "tmp"
      storage_type = "EmptyDir"
    }

    container {
      name    = "migrate"
      image   = local.image
      command = local.containers.migrate.command
      cpu     = local.containers.migrate.cpu
      memory  = local.containers.migrate.memory

      dynamic "env" {
        for_each = local.runtime_settings
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = toset(local.component_secrets.migrate)
        content {
          name        = env.value
          secret_name = local.app_secret_name[env.value]
        }
      }

      volume_mounts {
        name = "tmp"
        path = "/tmp"
      }
    }
  }

  depends_on = [azurerm_role_assignment.pull, azurerm_role_assignment.read_secret]
}
