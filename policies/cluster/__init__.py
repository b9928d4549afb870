"""Rules of area cluster (3xx): cluster identity, node pools, extension, trusted access, roles."""

MODULES: tuple[str, ...] = (
    "aksb301_cluster_service_principal",
    "aksb302_no_linux_x86_node_pool",
)
