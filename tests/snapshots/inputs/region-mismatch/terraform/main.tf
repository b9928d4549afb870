# The vault and the backup storage account were created in the DR region by mistake.
variable "location" {
  type = string
}

variable "dr_location" {
  type    = string
  default = "northeurope"
}

resource "azurerm_kubernetes_cluster" "aks" {
  name                = "aks-prod"
  location            = var.location
  resource_group_name = "rg-aks"
  dns_prefix          = "aksprod"

  default_node_pool {
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_storage_account" "backup" {
  name                     = "aksprodbackup"
  resource_group_name      = "rg-aks"
  location                 = var.dr_location # expect: AKSB102:3
  account_tier             = "Standard"
  account_replication_type = "GRS"
}

resource "azurerm_kubernetes_cluster_extension" "backup" {
  name           = "azure-aks-backup"
  cluster_id     = azurerm_kubernetes_cluster.aks.id
  extension_type = "Microsoft.DataProtection.Kubernetes"
  configuration_settings = {
    "configuration.backupStorageLocation.bucket"                = "aks-backup"
    "configuration.backupStorageLocation.config.resourceGroup"  = "rg-aks"
    "configuration.backupStorageLocation.config.storageAccount" = azurerm_storage_account.backup.name
    "configuration.backupStorageLocation.config.subscriptionId" = "00000000-0000-0000-0000-000000000000"
  }
}

resource "azurerm_data_protection_backup_vault" "backup" {
  name                = "vault-aks-prod"
  resource_group_name = "rg-aks"
  location            = "North Europe" # expect: AKSB101:3
  datastore_type      = "VaultStore"
  redundancy          = "LocallyRedundant"

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_data_protection_backup_instance_kubernetes_cluster" "aks" {
  name                         = "aks-prod-backup"
  location                     = azurerm_kubernetes_cluster.aks.location
  vault_id                     = azurerm_data_protection_backup_vault.backup.id
  kubernetes_cluster_id        = azurerm_kubernetes_cluster.aks.id
  snapshot_resource_group_name = "rg-aks-snapshots"
  backup_policy_id             = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-aks/providers/Microsoft.DataProtection/backupVaults/vault-aks-prod/backupPolicies/default"

  backup_datasource_parameters {
    included_namespaces     = ["app"]
    volume_snapshot_enabled = true
  }
}
