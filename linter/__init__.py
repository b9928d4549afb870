"""aks-backup-lint: checks infrastructure code against the Azure Backup for AKS support matrix."""

__version__ = "0.1.0"

from linter import clock  # noqa: E402,F401 - starts the run clock as early as our code runs
