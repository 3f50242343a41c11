"""Lists people work through: one helper for every list page's filters, sorting, pages and Excel export.

A page describes its list once as a `ListSpec` (the base query, how its filters narrow it, which columns it
sorts by, what its spreadsheet holds); `open_list` reads the request into one page of rows, and `export` writes
exactly the filtered rows, every page of them, to an XLSX whose every cell goes through `safe_cell`.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import abort, request, send_file, url_for
from openpyxl import Workbook
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from dialer.model import Task, User
from dialer.policy.cells import safe_cell
from dialer.services import services
from dialer.web.helpers import audit, db

Query = Any  # a Select of any row shape: SQLAlchemy types each shape apart
PAGE_SIZE = 50
MAX_PAGE = 1_000_000  # a bigger offset overflows the database's integer
COMMON = ("date_from", "date_to", "type", "department", "agent", "status")
Narrow = Callable[[Query, Mapping[str, str], list[str]], Query]


@dataclass(frozen=True)
class Column:
    """One spreadsheet column: its Chinese header and how a row gives its cell."""

    label: str
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class ListSpec:
    """What a list page is: its rows, filters, sort keys and spreadsheet."""

    name: str  # used in the file name and the audit entry
    title: str  # the sheet's and the file's Chinese name
    query: Callable[[], Query]
    fields: tuple[str, ...]  # the request arguments that filter it
    narrow: Narrow  # applies the filters; appends a Chinese sentence to `errors` for each bad one
    sorts: Mapping[str, Any]  # sort key → column or expression
    default_sort: str
    tiebreak: Any  # keeps the order total, so pages never repeat or skip a row
    columns: tuple[Column, ...]
    defaults: Mapping[str, str] = field(default_factory=dict)  # a filter's value when the request omits it


@dataclass
class ListPage:
    """One page of a filtered, sorted list, and what the page needs to draw its controls."""

    rows: list[Any]
    total: int
    page: int
    pages: int
    sort: str
    desc: bool
    f: dict[str, str]
    errors: list[str] = field(default_factory=list)

    def url(self, **changes: Any) -> str:
        """Return this list's URL with the same filters, and `changes` applied (page, sort, dir, format)."""
        args: dict[str, Any] = {k: v for k, v in self.f.items() if v}
        args |= {"sort": self.sort, "dir": "desc" if self.desc else "asc", "page": self.page} | changes
        return url_for(request.endpoint or "", **(request.view_args or {}), **args)

    def sort_url(self, key: str) -> str:
        """Return the URL that sorts by `key` (the other way round when it already sorts by it)."""
        return self.url(sort=key, dir="asc" if self.sort == key and self.desc else "desc", page=1)

    @property
    def first(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * PAGE_SIZE + 1

    @property
    def last(self) -> int:
        return min(self.page * PAGE_SIZE, self.total)


def read_filters(spec: ListSpec) -> dict[str, str]:
    """Return the list's filters as the request gives them, trimmed (a filter left out takes its default)."""
    return {k: request.args.get(k, spec.defaults.get(k, "")).strip() for k in spec.fields}


def filtered(spec: ListSpec, f: Mapping[str, str]) -> tuple[Query, str, bool, list[str]]:
    """Return the spec's query narrowed by `f` and sorted as the request asks, the sort, and the errors."""
    errors: list[str] = []
    q = spec.narrow(spec.query(), f, errors)
    sort = request.args.get("sort", spec.default_sort)
    if sort not in spec.sorts:
        sort = spec.default_sort
    desc = request.args.get("dir", "desc") != "asc"
    col = spec.sorts[sort]
    order = (col.desc(), spec.tiebreak.desc()) if desc else (col.asc(), spec.tiebreak.asc())
    return q.order_by(*order), sort, desc, errors


def open_list(spec: ListSpec) -> ListPage:
    """Return the page of the list the request asks for."""
    f = read_filters(spec)
    q, sort, desc, errors = filtered(spec, f)
    if errors:
        return ListPage([], 0, 1, 1, sort, desc, f, errors)
    total = db().scalar(select(func.count()).select_from(q.order_by(None).subquery())) or 0
    pages = max(1, math.ceil(total / PAGE_SIZE))
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isdigit() else 1
    if not 1 <= page <= MAX_PAGE:
        page = 1
    page = min(page, pages)
    rows = list(db().execute(q.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    return ListPage(rows, total, page, pages, sort, desc, f)


def export(spec: ListSpec) -> Response:
    """Send every row of the filtered list (all pages) as an Excel workbook; the export is audited."""
    f = read_filters(spec)
    q, _sort, _desc, errors = filtered(spec, f)
    if errors:
        abort(400, "导出条件有误：" + "；".join(errors))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(spec.title)
    ws.append([c.label for c in spec.columns])
    count = 0
    for row in db().execute(q):
        ws.append([safe_cell(c.value(row)) for c in spec.columns])
        count += 1
    audit("export_list", spec.name, filters={k: v for k, v in f.items() if v}, rows=count)
    db().commit()
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    stamp = services().clock.now().astimezone(services().settings.tz).strftime("%Y%m%d-%H%M")
    return send_file(out, as_attachment=True, download_name=f"{spec.title}-{stamp}.xlsx", max_age=0,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip


def wants_export() -> bool:
    """Return whether the request asks for the list as a spreadsheet rather than a page."""
    return request.args.get("format") == "xlsx"


# Building blocks the lists share.


def parse_day(raw: str) -> date | None:
    """Return the day `raw` names as 年-月-日, or None."""
    try:
        return datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        return None


def by_dates(q: Query, f: Mapping[str, str], errors: list[str], column: Any) -> Query:
    """Narrow to rows whose `column` falls on the local days date_from … date_to (both included)."""
    tz = services().settings.tz
    for key, shift in (("date_from", 0), ("date_to", 1)):
        if not f.get(key):
            continue
        day = parse_day(f[key])
        if day is None:
            errors.append(f"日期格式应为 年-月-日，例如 2026-01-31（您填写的是“{f[key]}”）。")
            continue
        edge = datetime.combine(day + timedelta(days=shift), time(0), tz)
        q = q.where(column >= edge) if shift == 0 else q.where(column < edge)
    return q


def by_task(q: Query, f: Mapping[str, str]) -> Query:
    """Narrow by the task's type and department (the query must include Task)."""
    if f.get("type"):
        q = q.where(Task.type == f["type"])
    if f.get("department"):
        q = q.where(Task.department == f["department"])
    return q


def by_choice(q: Query, f: Mapping[str, str], errors: list[str], key: str, column: Any,
              allowed: Mapping[str, str], what: str) -> Query:  # fmt: skip
    """Narrow to rows whose `column` is the chosen value; an unknown value is named in `errors`."""
    value = f.get(key)
    if not value:
        return q
    if value not in allowed:
        errors.append(f"{what}“{value}”不存在，请从下拉列表中选择。")
        return q
    return q.where(column == value)


def agent_id(f: Mapping[str, str], errors: list[str]) -> int | None:
    """Return the id of the agent the filter names by login name (-1 matches nobody), or None for any."""
    name = f.get("agent")
    if not name:
        return None
    found = db().scalar(select(User.id).where(User.username == name))
    if found is None:
        errors.append(f"没有名为“{name}”的专员，请从下拉列表中选择。")
        return -1
    return found


def options() -> dict[str, Sequence[tuple[str, str]]]:
    """Return the choices the shared filters offer: task types, departments and people, as (value, word)."""
    types = [(k, t.name) for k, t in services().task_types.items()]
    departments = [d for d in db().scalars(select(Task.department).distinct()) if d]
    people = db().scalars(select(User).order_by(User.display_name, User.username))
    return {"type": types, "department": [(d, d) for d in sorted(departments)],
            "agent": [(u.username, u.display_name or u.username) for u in people]}  # fmt: skip
