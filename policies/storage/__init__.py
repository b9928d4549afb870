"""Rules of area storage (2xx): the backup storage account."""

MODULES: tuple[str, ...] = (
    "aksb201_storage_account_not_gpv2",
    "aksb202_storage_account_premium",
    "aksb203_backup_container_shared",
    "aksb204_storage_network_blocks_backup",
)
