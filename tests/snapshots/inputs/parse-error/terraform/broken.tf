resource "azurerm_kubernetes_cluster" "aks" {
  name     = "aks"
  location = = "westeurope" # expect: AKSB000:14
}
