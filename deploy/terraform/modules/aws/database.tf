# PostgreSQL 17 Multi-AZ; pgvector, pg_trgm, unaccent and fuzzystrmatch are RDS extensions the
# migrations create themselves. The password is generated at apply time and written only to RDS
# and to the DATABASE_URL secret (write-only arguments: not in the state, not in the plan).
resource "aws_db_subnet_group" "this" {
  name       = var.name
  subnet_ids = aws_subnet.private[*].id
  tags       = local.tags
}

resource "aws_db_parameter_group" "this" {
  name   = "${var.name}-postgres17"
  family = "postgres17"
  tags   = local.tags

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "log_statement"
    value = "ddl"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = "500"
  }

  parameter {
    name  = "log_connections"
    value = "1"
  }

  parameter {
    name  = "log_disconnections"
    value = "1"
  }
}

ephemeral "random_password" "database" {
  length      = 40
  special     = false
  min_upper   = 4
  min_lower   = 4
  min_numeric = 4
}

resource "aws_db_instance" "this" {
  identifier                            = var.name
  engine                                = "postgres"
  engine_version                        = "17"
  instance_class                        = var.database_instance_class
  allocated_storage                     = var.database_storage_gb
  max_allocated_storage                 = var.database_storage_gb * 10
  storage_type                          = "gp3"
  storage_encrypted                     = true
  kms_key_id                            = aws_kms_key.this.arn
  db_name                               = "seiko"
  username                              = "seiko"
  password_wo                           = ephemeral.random_password.database.result
  password_wo_version                   = var.secret_versions.database
  multi_az                              = true
  db_subnet_group_name                  = aws_db_subnet_group.this.name
  vpc_security_group_ids                = [aws_security_group.database.id]
  parameter_group_name                  = aws_db_parameter_group.this.name
  publicly_accessible                   = false
  iam_database_authentication_enabled   = true
  ca_cert_identifier                    = "rds-ca-rsa2048-g1"
  backup_retention_period               = 14
  backup_window                         = "02:00-03:00"
  maintenance_window                    = "sun:03:30-sun:04:30"
  copy_tags_to_snapshot                 = true
  deletion_protection                   = true
  skip_final_snapshot                   = false
  final_snapshot_identifier             = "${var.name}-final"
  auto_minor_version_upgrade            = true
  enabled_cloudwatch_logs_exports       = ["postgresql", "upgrade"]
  monitoring_interval                   = 60
  monitoring_role_arn                   = aws_iam_role.rds_monitoring.arn
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = aws_kms_key.this.arn
  performance_insights_retention_period = 7
  tags                                  = local.tags
}
