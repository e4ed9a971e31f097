terraform {
  required_version = ">= 1.11.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.7"
    }
  }

  # State in an encrypted, versioned S3 bucket with native locking:
  # terraform init -backend-config=backend.hcl (bucket, key, region, encrypt = true, use_lockfile = true).
  # The state holds no secret values: they are generated and written through write-only arguments.
  backend "s3" {}
}

provider "aws" {
  region = var.region

  default_tags {
    tags = { app = "seiko-store", environment = "production" }
  }
}
