"""Rules of area volumes."""

MODULES: tuple[str, ...] = (
    "aksb501_in_tree_volume",
    "aksb502_unsupported_disk_sku",
    "aksb503_unsupported_volume_type",
    "aksb504_static_pv_no_storage_class",
    "aksb505_disk_too_large_for_vault_tier",
    "aksb506_disk_not_public_for_vault_tier",
    "aksb507_too_many_disks_for_vault_tier",
    "aksb508_static_pv_class_undefined",
)
