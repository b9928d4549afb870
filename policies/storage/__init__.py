"""Rules of area storage."""

MODULES: tuple[str, ...] = ()
