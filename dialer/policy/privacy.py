"""Privacy rules: how phone numbers are shown."""

from __future__ import annotations


def mask_phone(e164: str) -> str:
    """Return the number with its middle digits hidden: +8613812341234 → 138****1234."""
    digits = e164[3:] if e164.startswith("+86") else e164.lstrip("+")
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"
