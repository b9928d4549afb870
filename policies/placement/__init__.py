"""Rules of area placement (1xx): regions."""

MODULES: tuple[str, ...] = (
    "aksb101_vault_cluster_region_mismatch",
    "aksb102_storage_cluster_region_mismatch",
    "aksb103_region_tier_unsupported",
    "aksb104_cross_region_restore_invalid",
    "aksb105_geo_redundancy_without_vault_tier",
)
