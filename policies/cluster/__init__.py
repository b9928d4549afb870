"""Rules of area cluster (3xx): cluster identity, node pools, extension, trusted access, roles."""

MODULES: tuple[str, ...] = (
    "aksb301_cluster_service_principal",
    "aksb302_no_linux_x86_node_pool",
    "aksb303_network_isolated_cluster",
    "aksb304_csi_snapshot_disabled",
    "aksb305_backup_extension_missing",
    "aksb306_backup_extension_misconfigured",
    "aksb307_trusted_access_missing",
    "aksb308_role_assignment_missing",
    "aksb309_vault_identity_missing",
    "aksb310_kubernetes_version_unsupported",
)
