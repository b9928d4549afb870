"""Rules of area cluster."""

MODULES: tuple[str, ...] = ()
