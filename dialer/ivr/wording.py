"""The values a script line is filled with that come from the list row, the task type and the settings.

- `{company}`: the task type's `company` (task_types.toml), else DIALER_COMPANY_NAME: a hospital and an
  insurer on one system each say their own name.
- `{product}`: the list's product column; empty when the list has none, so the script's "[…{product}…|…]"
  rephrases instead of saying the bare word 产品.
- `{cooling_off_days}`: the list's 犹豫期 column, else the task type's `cooling_off_days`, else empty.
- `{hotline}`: DIALER_HOTLINE.
- `{insured_name}`: the insured (被保险人) the list names, if any; a question with `when = "insured_differs"`
  is asked only when it differs from the policyholder called.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypedDict

from dialer.policy.rules import TaskTypeRules
from dialer.settings import Settings

PRODUCT_COLUMNS = ("产品名称", "险种", "产品", "服务项目", "维修项目", "product")
INSURED_NAME_COLUMNS = ("insured_name", "被保险人", "被保险人姓名")
COOLING_OFF_COLUMNS = ("犹豫期", "犹豫期天数", "犹豫期(天)", "犹豫期（天）", "cooling_off_days")
_DAYS = re.compile(r"^\s*(\d{1,3})\s*(天|日)?\s*$")


class ScriptValues(TypedDict):
    company: str
    product: str
    cooling_off_days: str
    hotline: str
    insured_name: str


def script_values(settings: Settings, rules: TaskTypeRules | None, extra: Mapping[str, Any]) -> ScriptValues:
    """Return company, product, cooling_off_days and hotline for one call."""
    return {
        "company": (rules.company if rules and rules.company else "") or settings.company_name,
        "product": _first(extra, PRODUCT_COLUMNS),
        "cooling_off_days": _cooling_off(extra, rules),
        "hotline": settings.hotline.strip(),
        "insured_name": _first(extra, INSURED_NAME_COLUMNS),
    }


def _first(extra: Mapping[str, Any], columns: tuple[str, ...]) -> str:
    return next((str(extra[c]).strip() for c in columns if str(extra.get(c) or "").strip()), "")


def _cooling_off(extra: Mapping[str, Any], rules: TaskTypeRules | None) -> str:
    found = _DAYS.match(_first(extra, COOLING_OFF_COLUMNS))
    if found and int(found.group(1)) > 0:
        return found.group(1)
    if rules is not None and rules.cooling_off_days:
        return str(rules.cooling_off_days)
    return ""
