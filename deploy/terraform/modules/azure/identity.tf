# One identity per component. Each may pull from the registry and read exactly its own secrets
# (role assignments scoped to single secrets, not to the vault); none may list or write anything.
resource "azurerm_user_assigned_identity" "this" {
  for_each            = local.component_wants
  name                = "id-${var.name}-${each.key}"
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  tags                = local.tags
}

resource "azurerm_role_assignment" "pull" {
  for_each             = azurerm_user_assigned_identity.this
  scope                = azurerm_container_registry.this.id
  role_definition_name = "AcrPull"
  principal_id         = each.value.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "read_secret" {
  for_each             = local.grants
  scope                = azurerm_key_vault_secret.this[each.value.secret].resource_versionless_id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = azurerm_user_assigned_identity.this[each.value.component].principal_id
  principal_type       = "ServicePrincipal"
}
