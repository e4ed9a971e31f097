resource "aws_ecs_cluster" "this" {
  name = var.name
  tags = local.tags

  setting {
    name  = "containerInsights"
    value = "enhanced"
  }
}

locals {
  containers = {
    api = {
      command = ["seiko", "api", "--host", "0.0.0.0", "--port", "8000"]
      cpu     = 1024
      memory  = 3072
      # Only the load balancer reaches the tasks (security groups), so every peer is a proxy.
      env  = { SEIKO_SCHEDULER = "true", SEIKO_FORWARDED_ALLOW_IPS = "*" }
      port = 8000
      # The slim Python image has no curl: the health check asks /health with the standard library.
      health = ["CMD", "python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=3)"]
    }
    worker = {
      command = ["seiko", "worker"]
      cpu     = 512
      memory  = 1024
      env     = { SEIKO_WORKER_METRICS_PORT = "9100", SEIKO_WORKER_METRICS_HOST = "0.0.0.0" }
      port    = null
      # Healthy while its metrics listener answers: ECS replaces unhealthy tasks, and a database
      # outage is no reason to replace every worker.
      health = ["CMD", "python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9100/metrics', timeout=3)"]
    }
    migrate = {
      command = ["seiko", "migrate"]
      cpu     = 512
      memory  = 1024
      env     = {}
      port    = null
      health  = null
    }
  }
}

resource "aws_ecs_task_definition" "this" {
  for_each                 = local.containers
  family                   = "${var.name}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = each.value.cpu
  memory                   = each.value.memory
  execution_role_arn       = aws_iam_role.execution[each.key].arn
  task_role_arn            = aws_iam_role.task[each.key].arn
  tags                     = local.tags

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  # Fargate task storage, the one writable place.
  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([merge({
    name                   = each.key
    image                  = local.image
    essential              = true
    command                = each.value.command
    user                   = "10001:10001"
    readonlyRootFilesystem = true
    privileged             = false
    linuxParameters = {
      initProcessEnabled = true
      capabilities       = { drop = ["ALL"] }
    }
    mountPoints = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
    environment = [for k, v in merge(local.runtime_settings, each.value.env) : { name = k, value = v }]
    secrets = [for v in local.component_secrets[each.key] : {
      name      = v
      valueFrom = aws_secretsmanager_secret.this[v].arn
    }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this[each.key].name
        awslogs-region        = local.region
        awslogs-stream-prefix = each.key
      }
    }
    }, each.value.port == null ? {} : {
    portMappings = [{ containerPort = each.value.port, protocol = "tcp" }]
    }, each.value.health == null ? {} : {
    healthCheck = { command = each.value.health, interval = 30, timeout = 5, retries = 3, startPeriod = 120 }
  })])
}

resource "aws_ecs_service" "api" {
  name                              = "api"
  cluster                           = aws_ecs_cluster.this.id
  task_definition                   = aws_ecs_task_definition.this["api"].arn
  desired_count                     = var.api_count.min
  launch_type                       = "FARGATE"
  platform_version                  = "LATEST"
  health_check_grace_period_seconds = 180
  propagate_tags                    = "SERVICE"
  tags                              = local.tags

  network_configuration {
    subnets          = aws_subnet.private[*].id
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.api.arn
    container_name   = "api"
    container_port   = 8000
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  # Autoscaling owns the count after the first apply.
  lifecycle {
    ignore_changes = [desired_count]
  }

  depends_on = [aws_lb_listener.https]
}

resource "aws_ecs_service" "worker" {
  name             = "worker"
  cluster          = aws_ecs_cluster.this.id
  task_definition  = aws_ecs_task_definition.this["worker"].arn
  desired_count    = var.worker_count
  launch_type      = "FARGATE"
  platform_version = "LATEST"
  propagate_tags   = "SERVICE"
  tags             = local.tags

  network_configuration {
    subnets          = aws_subnet.private[*].id
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
}

resource "aws_appautoscaling_target" "api" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.api.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.api_count.min
  max_capacity       = var.api_count.max
}

resource "aws_appautoscaling_policy" "api_cpu" {
  name               = "${var.name}-api-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.api.service_namespace
  resource_id        = aws_appautoscaling_target.api.resource_id
  scalable_dimension = aws_appautoscaling_target.api.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = 60
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}
