"""Kubernetes resource quantities (``10Gi``, ``1.5T``, ``500M``, ``1e3``) to bytes.

The grammar is apimachinery's ``resource.Quantity`` (iac-mapping [S21]): a signed decimal number
followed by a binary suffix (``Ki Mi Gi Ti Pi Ei``, powers of 1024), a decimal suffix
(``m`` milli, ``k M G T P E``, powers of 1000) or a decimal exponent (``e3``/``E3``).
"1024 = 1Ki but 1000 = 1k". Storage sizes are rounded up to whole bytes, as the API server does.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

_QUANTITY = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[mkMGTPE]|[eE][+-]?\d+)?$")
_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"m": -1, "": 0, "k": 1, "M": 2, "G": 3, "T": 4, "P": 5, "E": 6}

KIB = 1024
GIB = 1024**3
TIB = 1024**4


def parse_quantity(text: str | int | float) -> int | None:
    """Bytes for a quantity, rounded up; None when ``text`` is not a valid quantity."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text
    if isinstance(text, float):
        return math.ceil(text) if math.isfinite(text) else None
    m = _QUANTITY.match(text.strip())
    if not m:
        return None
    try:
        number = Decimal(m.group(1))
    except InvalidOperation:
        return None
    suffix = m.group(2) or ""
    if suffix in _BINARY:
        value = number * (KIB ** _BINARY[suffix])
    elif suffix in _DECIMAL:
        value = number * (Decimal(1000) ** _DECIMAL[suffix])
    else:
        exponent = int(suffix[1:])
        if abs(exponent) > 30:
            return None
        value = number * (Decimal(10) ** exponent)
    return int(value.to_integral_value(rounding="ROUND_CEILING"))


def format_bytes(n: int) -> str:
    """A byte count the way users write sizes (``2Ti``, ``1536Gi``), else bytes with an approximation."""
    for suffix, power in (("Ei", 6), ("Pi", 5), ("Ti", 4), ("Gi", 3)):
        unit = KIB**power
        if n >= unit and n % unit == 0:
            return f"{n // unit}{suffix}"
    if n >= GIB:
        return f"{n} bytes (about {n / GIB:.0f}Gi)"
    return f"{n} bytes"
