terraform {
  required_version = ">= 1.11.0"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.26"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.7"
    }
  }

  # State in a storage account with versioning and soft delete, readable only by the deployers:
  # terraform init -backend-config=backend.hcl (resource_group_name, storage_account_name,
  # container_name, key, use_azuread_auth = true). The state holds no secret values: they are
  # generated and written through write-only arguments.
  backend "azurerm" {}
}

provider "azurerm" {
  subscription_id     = var.subscription_id
  storage_use_azuread = true

  features {
    key_vault {
      purge_soft_delete_on_destroy = false
    }
    resource_group {
      prevent_deletion_if_contains_resources = true
    }
  }
}
