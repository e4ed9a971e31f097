terraform {
  # 1.11: write-only arguments, so generated secrets never reach the state or the plan.
  required_version = ">= 1.11.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.87: aws_db_instance.password_wo; 5.90: aws_secretsmanager_secret_version.secret_string_wo.
      version = ">= 5.90.0, < 7.0.0"
    }
    random = {
      source = "hashicorp/random"
      # 3.7: the ephemeral random_password.
      version = ">= 3.7.0, < 4.0.0"
    }
  }
}
