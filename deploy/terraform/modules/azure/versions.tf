terraform {
  # 1.11: write-only arguments, so generated secrets never reach the state or the plan.
  required_version = ">= 1.11.0"

  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
      # 4.23: azurerm_key_vault_secret.value_wo; 4.26: postgresql administrator_password_wo.
      version = ">= 4.26.0, < 5.0.0"
    }
    random = {
      source = "hashicorp/random"
      # 3.7: the ephemeral random_password.
      version = ">= 3.7.0, < 4.0.0"
    }
  }
}
