"""Rules of area placement."""

MODULES: tuple[str, ...] = ()
