"""Rules of area velero."""

MODULES: tuple[str, ...] = (
    "aksb601_velero_installed",
    "aksb602_velero_metadata",
)
