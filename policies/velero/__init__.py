"""Rules of area velero."""

MODULES: tuple[str, ...] = ()
