"""A customer with two due tasks (say a claim and a complaint) hears one call per window, not two."""

from __future__ import annotations

from datetime import timedelta

from dialer.model import Attempt, Customer, Database, Task
from dialer.scheduler import build_dialer
from dialer.settings import Settings
from tests.scheduler.helpers import AT, EVENT


def two_tasks_for_one_person(db: Database) -> tuple[int, int]:
    with db.session() as s, s.begin():
        person = Customer(name="张三", phone="+8613712345678")
        tasks = [
            Task(customer=person, type=kind, script=kind, event_at=EVENT, earliest_at=EVENT,
                 deadline_at=EVENT + timedelta(days=3), next_attempt_at=EVENT)
            for kind in ("claim", "complaint")
        ]  # fmt: skip
        s.add_all(tasks)
        s.flush()
        return tasks[0].id, tasks[1].id


def test_one_pass_dials_one_of_the_two(db: Database, settings: Settings) -> None:
    first, _ = two_tasks_for_one_person(db)
    report = build_dialer(settings, db, with_gateway=False).tick(AT, dry_run=True)
    assert [c.task_id for c in report.calls] == [first]
    assert report.skipped == {"customer_called_recently": 1}


def test_the_second_task_waits_after_a_call_this_window(db: Database, settings: Settings) -> None:
    first, second = two_tasks_for_one_person(db)
    with db.session() as s, s.begin():
        s.add(Attempt(task_id=first, number=1, to_number="+8613712345678", script="claim", status="completed",
                      call_sid="CA" + "5" * 32,
                      outcome="succeeded", placed_at=AT - timedelta(minutes=25)))  # fmt: skip
        task = s.get_one(Task, first)
        task.status = "succeeded"
    report = build_dialer(settings, db, with_gateway=False).tick(AT + timedelta(minutes=30), dry_run=True)
    assert report.calls == []
    assert report.skipped == {"customer_called_recently": 1}
    afternoon = build_dialer(settings, db, with_gateway=False).tick(AT + timedelta(hours=5), dry_run=True)
    assert [c.task_id for c in afternoon.calls] == [second]
