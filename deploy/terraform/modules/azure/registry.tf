# Private registry: the release pipeline imports the tested GHCR image with `az acr import`
# (a control-plane operation, so the registry needs no public endpoint); apps pull by digest.
resource "azurerm_container_registry" "this" {
  name                          = "acr${var.name}"
  resource_group_name           = azurerm_resource_group.this.name
  location                      = azurerm_resource_group.this.location
  sku                           = "Premium"
  admin_enabled                 = false
  anonymous_pull_enabled        = false
  public_network_access_enabled = false
  network_rule_bypass_option    = "AzureServices"
  data_endpoint_enabled         = true
  export_policy_enabled         = false
  quarantine_policy_enabled     = true
  trust_policy_enabled          = true
  retention_policy_in_days      = 30
  zone_redundancy_enabled       = true
  tags                          = local.tags
}

resource "azurerm_private_endpoint" "registry" {
  name                = "pe-${var.name}-acr"
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  subnet_id           = azurerm_subnet.endpoints.id
  tags                = local.tags

  private_service_connection {
    name                           = "acr"
    private_connection_resource_id = azurerm_container_registry.this.id
    subresource_names              = ["registry"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "acr"
    private_dns_zone_ids = [azurerm_private_dns_zone.this["registry"].id]
  }
}
