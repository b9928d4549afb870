"""Rules of area diagnostics."""

MODULES: tuple[str, ...] = ()
