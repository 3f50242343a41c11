"""Unreachable tasks for the 机构自访 tests, and real receipt files made on the spot (JPEG, PNG, PDF)."""

from __future__ import annotations

import hashlib
import io
import random
from datetime import timedelta
from pathlib import Path

from flask.testing import FlaskClient
from PIL import Image, ImageDraw
from werkzeug.test import TestResponse

from dialer.model import Attempt, Customer, Database, Task, TaskStatus, User
from dialer.model.followups import Entry, Receipt
from dialer.model.followups import record as record_follow_up
from tests.web.seed import NOW, csrf_token


def receipt_image(fmt: str = "JPEG", size: tuple[int, int] = (320, 200), noise: bool = False) -> bytes:
    """Return a photo-like receipt: a signature line and text strokes (random pixels when `noise`)."""
    img = Image.new("RGB", size, "white")
    if noise:
        rng = random.Random(7)
        img.putdata(
            [(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(size[0] * size[1])]
        )
    draw = ImageDraw.Draw(img)
    draw.rectangle((10, 10, size[0] - 10, size[1] - 10), outline="black", width=3)
    draw.line((40, size[1] - 50, size[0] - 40, size[1] - 50), fill="navy", width=2)
    out = io.BytesIO()
    img.save(out, fmt)
    return out.getvalue()


def receipt_pdf() -> bytes:
    """Return a real one-page PDF (Pillow writes it) of a signed receipt."""
    out = io.BytesIO()
    Image.open(io.BytesIO(receipt_image("PNG"))).convert("RGB").save(out, "PDF")
    return out.getvalue()


def unreachable_tasks(db: Database, specs: list[tuple[str, str, TaskStatus]], days_ago: int = 2) -> list[int]:
    """Add one customer and task per (type, department, status), each with three unanswered attempts."""
    ids = []
    with db.session() as s, s.begin():
        made = s.query(Customer).filter(Customer.name.startswith("自访客户")).count()  # names stay unique
        for n, (type_, department, status) in enumerate(specs):
            when = NOW - timedelta(days=days_ago, minutes=n)
            c = Customer(name=f"自访客户{made + n:02d}", phone=f"+86137{made + n:08d}")
            t = Task(customer=c, type=type_, script=type_, event_at=when, earliest_at=when,
                     deadline_at=when + timedelta(days=15), status=status, attempt_count=3,
                     department=department, manual_followup=status == TaskStatus.UNREACHABLE, closed_at=NOW)  # fmt: skip
            s.add_all([c, t])
            for k in (1, 2, 3):
                s.add(Attempt(task=t, number=k, status="no-answer", outcome="no_answer", to_number=c.phone,
                              script=type_, placed_at=when + timedelta(hours=k)))  # fmt: skip
            s.flush()
            ids.append(t.id)
    return ids


def add_follow_ups(db: Database, root: Path) -> list[int]:
    """Add two unreachable tasks; close the second with a completed visit whose photo receipt is stored."""
    waiting, closed = unreachable_tasks(db, [("new_policy", "个险部", TaskStatus.UNREACHABLE)] * 2)
    photo = receipt_image("PNG")
    sha = hashlib.sha256(photo).hexdigest()
    key = f"receipts/2026/03/{sha}.png"
    (root / key).parent.mkdir(parents=True, exist_ok=True)
    (root / key).write_bytes(photo)
    with db.session() as s, s.begin():
        t = s.get_one(Task, closed)
        receipt = Receipt("folder", key, "回执.png", "image/png", len(photo), sha)
        entry = Entry("visit", NOW.date(), "城东网点 王经理", "客户本人", "completed", "已当面核对。")
        row = record_follow_up(s, t, entry, receipt, "zhao_sup", NOW)
        return [waiting, closed, row.id]


def set_department(db: Database, username: str, department: str | None) -> None:
    with db.session() as s, s.begin():
        u = s.query(User).filter_by(username=username).one()
        u.department = department


def record(client: FlaskClient, task_id: int, data: bytes, name: str, **fields: str) -> TestResponse:
    """Post the record form of a task with a receipt file, as the page's form does."""
    form = {"way": "visit", "done_on": "2026-03-09", "staff_name": "城东网点 王经理", "reached_name": "客户本人",
            "result": "completed", "note": "已当面核对各项回访内容。"} | fields  # fmt: skip
    token = csrf_token(client, f"/followups/tasks/{task_id}")
    resp = client.post(f"/followups/tasks/{task_id}", content_type="multipart/form-data",
                       data={**form, "csrf_token": token, "receipt": (io.BytesIO(data), name)})  # fmt: skip
    resp.get_data()
    resp.close()
    resp.request.environ["wsgi.input"].close()  # a large body is encoded into a temporary file: close it
    return resp
