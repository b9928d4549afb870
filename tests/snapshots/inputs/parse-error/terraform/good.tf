resource "azurerm_data_protection_backup_vault" "backup" {
  name                = "vault"
  resource_group_name = "rg"
  location            = "westeurope"
  datastore_type      = "VaultStore"
  redundancy          = "LocallyRedundant"
}
