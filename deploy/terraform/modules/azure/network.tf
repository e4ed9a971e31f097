resource "azurerm_virtual_network" "this" {
  name                = "vnet-${var.name}"
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  address_space       = [var.address_space]
  tags                = local.tags
}

# /23 for the Container Apps environment, /24 each for the database and the private endpoints.
resource "azurerm_subnet" "apps" {
  name                            = "snet-apps"
  resource_group_name             = azurerm_resource_group.this.name
  virtual_network_name            = azurerm_virtual_network.this.name
  address_prefixes                = [cidrsubnet(var.address_space, 7, 0)]
  default_outbound_access_enabled = false

  delegation {
    name = "container-apps"
    service_delegation {
      name    = "Microsoft.App/environments"
      actions = ["Microsoft.Network/virtualNetworks/subnets/join/action"]
    }
  }
}

resource "azurerm_subnet" "database" {
  name                            = "snet-database"
  resource_group_name             = azurerm_resource_group.this.name
  virtual_network_name            = azurerm_virtual_network.this.name
  address_prefixes                = [cidrsubnet(var.address_space, 8, 2)]
  default_outbound_access_enabled = false

  delegation {
    name = "postgresql"
    service_delegation {
      name    = "Microsoft.DBforPostgreSQL/flexibleServers"
      actions = ["Microsoft.Network/virtualNetworks/subnets/join/action"]
    }
  }
}

resource "azurerm_subnet" "endpoints" {
  name                              = "snet-endpoints"
  resource_group_name               = azurerm_resource_group.this.name
  virtual_network_name              = azurerm_virtual_network.this.name
  address_prefixes                  = [cidrsubnet(var.address_space, 8, 3)]
  default_outbound_access_enabled   = false
  private_endpoint_network_policies = "Enabled"
}

resource "azurerm_network_security_group" "this" {
  for_each            = toset(["apps", "database", "endpoints"])
  name                = "nsg-${var.name}-${each.key}"
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  tags                = local.tags
}

# PostgreSQL takes connections from the apps subnet only.
resource "azurerm_network_security_rule" "database_from_apps" {
  name                        = "postgres-from-apps"
  resource_group_name         = azurerm_resource_group.this.name
  network_security_group_name = azurerm_network_security_group.this["database"].name
  priority                    = 100
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_address_prefix       = azurerm_subnet.apps.address_prefixes[0]
  source_port_range           = "*"
  destination_address_prefix  = azurerm_subnet.database.address_prefixes[0]
  destination_port_range      = "5432"
}

# Zone-redundant HA replicates between the primary and the standby inside the subnet.
resource "azurerm_network_security_rule" "database_within_subnet" {
  name                        = "within-database-subnet"
  resource_group_name         = azurerm_resource_group.this.name
  network_security_group_name = azurerm_network_security_group.this["database"].name
  priority                    = 110
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_address_prefix       = azurerm_subnet.database.address_prefixes[0]
  source_port_range           = "*"
  destination_address_prefix  = azurerm_subnet.database.address_prefixes[0]
  destination_port_range      = "*"
}

resource "azurerm_network_security_rule" "database_deny_vnet" {
  name                        = "deny-other-vnet"
  resource_group_name         = azurerm_resource_group.this.name
  network_security_group_name = azurerm_network_security_group.this["database"].name
  priority                    = 4000
  direction                   = "Inbound"
  access                      = "Deny"
  protocol                    = "*"
  source_address_prefix       = "VirtualNetwork"
  source_port_range           = "*"
  destination_address_prefix  = "*"
  destination_port_range      = "*"
}

resource "azurerm_subnet_network_security_group_association" "this" {
  for_each = {
    apps      = azurerm_subnet.apps.id
    database  = azurerm_subnet.database.id
    endpoints = azurerm_subnet.endpoints.id
  }
  subnet_id                 = each.value
  network_security_group_id = azurerm_network_security_group.this[each.key].id
}

resource "azurerm_private_dns_zone" "this" {
  for_each = {
    postgres = "${var.name}.private.postgres.database.azure.com"
    vault    = "privatelink.vaultcore.azure.net"
    registry = "privatelink.azurecr.io"
  }
  name                = each.value
  resource_group_name = azurerm_resource_group.this.name
  tags                = local.tags
}

resource "azurerm_private_dns_zone_virtual_network_link" "this" {
  for_each              = azurerm_private_dns_zone.this
  name                  = "link-${each.key}"
  resource_group_name   = azurerm_resource_group.this.name
  private_dns_zone_name = each.value.name
  virtual_network_id    = azurerm_virtual_network.this.id
  registration_enabled  = false
  tags                  = local.tags
}
