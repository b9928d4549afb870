"""aks-backup-lint: checks infrastructure code against the Azure Backup for AKS support matrix."""

__version__ = "0.1.0"
