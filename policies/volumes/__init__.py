"""Rules of area volumes."""

MODULES: tuple[str, ...] = ()
