resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.this.arn
  tags              = local.tags
}

resource "aws_sns_topic_subscription" "email" {
  count     = var.alarm_email == "" ? 0 : 1
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

locals {
  lb_dimensions = { LoadBalancer = aws_lb.this.arn_suffix }
  tg_dimensions = { LoadBalancer = aws_lb.this.arn_suffix, TargetGroup = aws_lb_target_group.api.arn_suffix }

  alarms = {
    api-5xx = {
      description = "The API answers 5xx (more than 10 a minute for 5 minutes)"
      namespace   = "AWS/ApplicationELB", metric = "HTTPCode_Target_5XX_Count", statistic = "Sum"
      dimensions  = local.tg_dimensions, threshold = 10, comparison = "GreaterThanThreshold", periods = 5
    }
    api-latency = {
      description = "The API is slow: p95 response time over 1.5 s for 5 minutes"
      namespace   = "AWS/ApplicationELB", metric = "TargetResponseTime", extended_statistic = "p95"
      dimensions  = local.tg_dimensions, threshold = 1.5, comparison = "GreaterThanThreshold", periods = 5
    }
    api-unhealthy = {
      description = "API tasks fail their /ready check"
      namespace   = "AWS/ApplicationELB", metric = "UnHealthyHostCount", statistic = "Maximum"
      dimensions  = local.tg_dimensions, threshold = 0, comparison = "GreaterThanThreshold", periods = 3
    }
    api-no-healthy = {
      description = "No API task is healthy: the store is down"
      namespace   = "AWS/ApplicationELB", metric = "HealthyHostCount", statistic = "Minimum"
      dimensions  = local.tg_dimensions, threshold = 1, comparison = "LessThanThreshold", periods = 2
    }
    api-cpu = {
      description = "API CPU above 85 % for 10 minutes (autoscaling is at its ceiling)"
      namespace   = "AWS/ECS", metric = "CPUUtilization", statistic = "Average"
      dimensions  = { ClusterName = aws_ecs_cluster.this.name, ServiceName = aws_ecs_service.api.name }
      threshold   = 85, comparison = "GreaterThanThreshold", periods = 10
    }
    api-memory = {
      description = "API memory above 85 % for 10 minutes"
      namespace   = "AWS/ECS", metric = "MemoryUtilization", statistic = "Average"
      dimensions  = { ClusterName = aws_ecs_cluster.this.name, ServiceName = aws_ecs_service.api.name }
      threshold   = 85, comparison = "GreaterThanThreshold", periods = 10
    }
    worker-memory = {
      description = "Worker memory above 85 % for 10 minutes"
      namespace   = "AWS/ECS", metric = "MemoryUtilization", statistic = "Average"
      dimensions  = { ClusterName = aws_ecs_cluster.this.name, ServiceName = aws_ecs_service.worker.name }
      threshold   = 85, comparison = "GreaterThanThreshold", periods = 10
    }
    database-cpu = {
      description = "Database CPU above 80 % for 15 minutes"
      namespace   = "AWS/RDS", metric = "CPUUtilization", statistic = "Average"
      dimensions  = { DBInstanceIdentifier = aws_db_instance.this.identifier }
      threshold   = 80, comparison = "GreaterThanThreshold", periods = 15
    }
    database-storage = {
      description = "Database free storage under 10 GB"
      namespace   = "AWS/RDS", metric = "FreeStorageSpace", statistic = "Minimum"
      dimensions  = { DBInstanceIdentifier = aws_db_instance.this.identifier }
      threshold   = 10 * 1024 * 1024 * 1024, comparison = "LessThanThreshold", periods = 5
    }
    database-connections = {
      description = "More than 150 database connections (pools: 10 per API task, 4 per worker)"
      namespace   = "AWS/RDS", metric = "DatabaseConnections", statistic = "Maximum"
      dimensions  = { DBInstanceIdentifier = aws_db_instance.this.identifier }
      threshold   = 150, comparison = "GreaterThanThreshold", periods = 5
    }
    waf-blocked = {
      description = "The WAF blocks more than 500 requests a minute (an attack, or a rule hitting real shoppers)"
      namespace   = "AWS/WAFV2", metric = "BlockedRequests", statistic = "Sum"
      dimensions  = { WebACL = aws_wafv2_web_acl.this.name, Region = local.region, Rule = "ALL" }
      threshold   = 500, comparison = "GreaterThanThreshold", periods = 3
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each            = local.alarms
  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  statistic           = lookup(each.value, "statistic", null)
  extended_statistic  = lookup(each.value, "extended_statistic", null)
  dimensions          = each.value.dimensions
  period              = 60
  evaluation_periods  = each.value.periods
  threshold           = each.value.threshold
  comparison_operator = each.value.comparison
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = local.tags
}
