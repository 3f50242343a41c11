"""Map a call list's columns to our fields and validate one row at a time."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from dialer.model import Customer, Task
from dialer.model.base import column_size

# Our field → the headers that mean it (compared without spaces, case-insensitively).
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "客户姓名", "客户名称", "投保人", "投保人姓名", "患者姓名", "员工姓名", "联系人", "name",
             "customer", "customer_name"),
    "phone": ("手机", "手机号", "手机号码", "电话", "电话号码", "联系电话", "联系方式", "移动电话", "phone",
              "mobile", "tel", "telephone", "phone_number"),
    "event_at": ("事件时间", "事件日期", "event_time", "event_at", "event_date", "date"),
    "department": ("部门", "所属部门", "责任部门", "科室", "营业部", "所属营业部", "机构", "所属机构", "管理机构",
                   "网点", "营业网点", "所属网点", "分公司", "所属分公司", "支公司", "所属支公司", "department",
                   "dept", "branch"),
    "seller": ("业务员", "销售人员", "营销员", "经办人", "客户经理", "seller", "salesperson", "agent"),
    "external_id": ("客户编号", "客户号", "保单号", "案件号", "工单号", "编号", "external_id", "customer_id", "id"),
    "timezone": ("时区", "timezone", "time_zone"),
    "birth_year": ("出生年份", "birth_year"),
    "birth_date": ("出生日期", "生日", "birth_date", "birthday"),
    "age": ("年龄", "age"),
    "gender": ("性别", "gender", "sex"),
    "grade": ("客户等级", "意向等级", "等级", "grade", "lead_grade"),
    "end_at": ("合同到期日", "合同结束日期", "服务结束日期", "到期日", "end_date", "contract_end"),
    "insured_name": ("被保险人", "被保险人姓名", "insured", "insured_name"),
    "insured_phone": ("被保险人电话", "被保险人手机", "被保险人联系电话", "insured_phone"),
}  # fmt: skip
REQUIRED = ("name", "phone", "event_at")
INSURED_FIELDS = ("insured_name", "insured_phone")  # 被保险人: kept in the task's extra under these names
# The longest text each field may hold: the size of the column it is stored in. A longer value is the row's
# error, never the database's.
TEXT_LIMITS = {
    "name": column_size(Customer.name), "department": column_size(Task.department),
    "seller": column_size(Task.seller), "external_id": column_size(Customer.external_id),
    "gender": column_size(Customer.gender), "grade": column_size(Task.grade),
}  # fmt: skip
FIELD_LABELS = {"name": "姓名/name", "phone": "手机/电话/phone", "event_at": "事件时间/event_time"}
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
                "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M")  # fmt: skip
ISO_LIKE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
CN_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日(?:\s*(\d{1,2})[:：时](\d{1,2})分?)?$")
EXCEL_EPOCH = datetime(1899, 12, 30)


@dataclass(frozen=True)
class RowError:
    """Why one row cannot be imported: row number as the spreadsheet shows it, the column, the reason."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"第 {self.row} 行，“{self.column}”列：{self.reason}"


@dataclass
class ParsedRow:
    row: int
    name: str
    phone: str
    event_at: datetime
    timezone: str
    department: str | None = None
    seller: str | None = None
    external_id: str | None = None
    birth_year: int | None = None
    gender: str | None = None
    grade: str | None = None
    end_at: datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _key(header: str) -> str:
    return re.sub(r"[\s_\-（）()]", "", header).lower()


def map_columns(headers: list[str], date_column: str) -> tuple[dict[str, str], list[str]]:
    """Return ({field: header}, [missing required fields described for people])."""
    by_key = {_key(h): h for h in headers if h}
    mapping: dict[str, str] = {}
    for fld, names in ALIASES.items():
        candidates = ((date_column,) if fld == "event_at" else ()) + names
        for n in candidates:
            if _key(n) in by_key:
                mapping[fld] = by_key[_key(n)]
                break
    missing = [f"{FIELD_LABELS[f]}" + (f" (or {date_column})" if f == "event_at" else "")
               for f in REQUIRED if f not in mapping]  # fmt: skip
    return mapping, missing


def parse_row(
    row: int, record: dict[str, Any], mapping: dict[str, str], region: str, default_tz: str, today: date
) -> ParsedRow | list[RowError]:
    """Validate one row; return the parsed row or every error found in it."""
    errors: list[RowError] = []

    def err(fld: str, reason: str) -> None:
        errors.append(RowError(row, mapping.get(fld, fld), reason))

    def text(fld: str) -> str:
        v = record.get(mapping[fld]) if fld in mapping else None
        return _text(v)

    name = text("name")
    if not name:
        err("name", "姓名为空，请填写客户姓名")
    for fld, limit in TEXT_LIMITS.items():
        if (size := len(text(fld))) > limit:
            err(fld, f"超过 {limit} 个字（共 {size} 个），请缩短或留空")
    phone = parse_phone(text("phone"), region)
    if isinstance(phone, RowError):
        err("phone", phone.reason)
    tz = text("timezone") or default_tz
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        err("timezone", f"无法识别的时区“{tz}”，请填写如 Asia/Shanghai 的时区名，或留空使用默认时区")
        tz = default_tz
    event = parse_datetime(record.get(mapping.get("event_at", "")), tz)
    if isinstance(event, str):
        err("event_at", event)
    birth_year = _birth_year(record, mapping, today, err)
    end_at = None
    if "end_at" in mapping and text("end_at"):
        end = parse_datetime(record.get(mapping["end_at"]), tz)
        if isinstance(end, str):
            err("end_at", f"{text('end_at')!r} 不是日期，请写成 2026-11-20")
        else:
            end_at = end
    if errors:
        return errors
    assert isinstance(phone, str) and isinstance(event, datetime)
    used = set(mapping.values())
    extra = {k: _text(v) for k, v in record.items() if k not in used and _text(v)}
    extra.update({f: text(f) for f in INSURED_FIELDS if text(f)})  # one name whatever the header said
    return ParsedRow(row, name, phone, event, tz, text("department") or None, text("seller") or None,
                     text("external_id") or None, birth_year, text("gender") or None, text("grade") or None,
                     end_at, extra)  # fmt: skip


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def parse_phone(raw: str, region: str) -> str | RowError:
    """Return the number in E.164, or why it is not a callable number."""
    if not raw:
        return RowError(0, "phone", "电话号码为空，请填写客户的手机或固定电话")
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return RowError(0, "phone", f"“{raw}”不是电话号码，请检查后重新填写")
    if not phonenumbers.is_valid_number(number):
        return RowError(0, "phone", f"“{raw}”不是有效的号码（{region_name(region)}），请核对位数和区号")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def region_name(region: str) -> str:
    """Return a phone region as people name it: CN is 中国大陆."""
    return {"CN": "中国大陆", "HK": "中国香港", "MO": "中国澳门", "TW": "中国台湾"}.get(
        region, f"地区 {region}"
    )


def parse_datetime(v: Any, tz: str) -> datetime | str:
    """Return an aware UTC instant for a cell (text, Excel date or serial number), or why it is not one."""
    if v is None or _text(v) == "":
        return "事件时间为空，请填写，例如 2026-11-20"
    if isinstance(v, datetime):
        local = v
    elif isinstance(v, date):
        local = datetime.combine(v, time())
    elif isinstance(v, int | float) and 20000 < float(v) < 80000:
        local = EXCEL_EPOCH + timedelta(days=float(v))
    else:
        parsed = _parse_text_date(_text(v))
        if parsed is None:
            return f"“{_text(v)}”不是日期，请写成 2026-11-20 或 2026-11-20 14:30"
        local = parsed
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(tz))
    return local.astimezone(UTC)


def _parse_text_date(s: str) -> datetime | None:
    m = ISO_LIKE.match(s) or CN_DATE.match(s)
    if m:
        y, mo, d, hh, mm, *ss = m.groups()
        try:
            return datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss[0] or 0) if ss else 0)
        except ValueError:
            return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(s, fmt)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(s)
    except ValueError:
        return None


def _birth_year(record: dict[str, Any], mapping: dict[str, str], today: date, err: Any) -> int | None:
    for fld in ("birth_year", "birth_date", "age"):
        raw = _text(record.get(mapping[fld])) if fld in mapping else ""
        if not raw:
            continue
        if fld == "birth_date":
            parsed = parse_datetime(record.get(mapping[fld]), "UTC")
            if isinstance(parsed, str):
                err(fld, f"“{raw}”不是出生日期，请写成 1960-05-01")
                return None
            year = parsed.year
        else:
            try:
                number = int(float(raw))
            except ValueError:
                err(fld, f"“{raw}”不是数字，请填写年龄或出生年份")
                return None
            year = number if fld == "birth_year" else today.year - number
        if not 1900 <= year <= today.year:
            err(fld, f"“{raw}”得出的出生年份 {year} 不合理，请核对")
            return None
        return year
    return None
