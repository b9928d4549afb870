"""Rules of area toolchain."""

MODULES: tuple[str, ...] = ()
