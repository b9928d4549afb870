"""Rules of area protection (4xx): backup policy and backup instance."""

MODULES: tuple[str, ...] = (
    "aksb401_backup_frequency_unsupported",
    "aksb402_system_namespace_included",
    "aksb403_too_many_namespaces",
    "aksb404_vault_limit_exceeded",
    "aksb405_backup_wiring_invalid",
    "aksb406_cmk_without_vault_tier",
)
