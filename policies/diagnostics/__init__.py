"""Rules of area diagnostics: the linter's own diagnostics (0 and 9xx)."""

MODULES: tuple[str, ...] = (
    "aksb000_parse_error",
    "aksb900_rule_crashed",
    "aksb901_invalid_suppression",
    "aksb902_unresolved_value",
)
