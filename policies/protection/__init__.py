"""Rules of area protection."""

MODULES: tuple[str, ...] = ()
