"""Supervisors' plans page: every imported list (回访计划), its progress while it loads, and the decisions on it."""

from __future__ import annotations

import json
import logging
import multiprocessing
import shutil
import uuid
from datetime import date
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from dialer.clock import utcnow
from dialer.errors import DialerError
from dialer.intake import Limits, import_call_list
from dialer.model import ImportBatch, open_database, parse_id
from dialer.model.audit import append_audit
from dialer.model.batches import (
    PLAN_WORDS,
    PlanError,
    PlanStatus,
    decide,
    list_plans,
    plan_counts,
    sample_tasks,
)
from dialer.model.stuck import clear_stuck, stuck_plans
from dialer.policy.rules import TaskTypeRules
from dialer.services import Services, services
from dialer.settings import Settings
from dialer.web.helpers import audit, db, now, requires, user

bp = Blueprint("plans", __name__, url_prefix="/admin/plans")
log = logging.getLogger("dialer.web.plans")
ACTIONS = {"approve": "批准", "reject": "驳回", "withdraw": "撤回"}
SPAWN = multiprocessing.get_context("spawn")  # a fresh interpreter: no copy of the web process's connections
BIG_UPLOAD_BYTES = 1_000_000  # larger uploads are imported in the background, the page showing progress


@bp.get("/")
@requires("upload")
def plans() -> str:
    """List the plans, newest first, with what waits for a decision."""
    found = list_plans(db())
    counts = plan_counts(db(), [p.id for p in found])
    return render_template("plans.html", plans=found, counts=counts, words=PLAN_WORDS,
                           types=services().task_types, stuck=stuck_plans(db(), now()))  # fmt: skip


@bp.post("/clear-stuck")
@requires("upload")
def clear_stuck_plans() -> Response:
    """Clear the plans whose import stopped half-way (the web process died): their tasks go, audited."""
    cleared = clear_stuck(db(), now(), user().username, request.remote_addr)
    db().commit()
    if not cleared:
        flash("没有中断的导入。", "ok")
    for plan_id, tasks in cleared:
        flash(f"回访计划 {plan_id} 的导入已中断：清除了 {tasks} 条任务，请重新导入名单。", "ok")
    return redirect(url_for("plans.plans"))


def warn_about_stuck_imports(svc: Services) -> None:
    """At start-up, log the plans left loading by an import that died with an earlier process."""
    try:
        with svc.db.session() as s:
            found = [p.id for p in stuck_plans(s, svc.clock.now())]
    except SQLAlchemyError:  # a database not yet created: `dialer init` says so
        return
    if found:
        log.warning("plans %s were left loading by an import that stopped; clear them on the plans page "
                    "or with `dialer batches clear-stuck`", found)  # fmt: skip


@bp.get("/<plan_id>")
@requires("upload", hide=True)
def plan(plan_id: str) -> str:
    """Show one plan: its counts, what the import set aside, its first rows, and the decisions it allows."""
    found = _plan_or_404(plan_id)
    summary = json.loads(found.summary) if found.summary else {}
    stuck = found.id in {p.id for p in stuck_plans(db(), now())}
    return render_template(
        "plan.html", plan=found, counts=plan_counts(db(), [found.id])[found.id], words=PLAN_WORDS,
        summary=summary, first=sample_tasks(db(), found.id, 20), types=services().task_types,
        loading=found.status == PlanStatus.LOADING and not stuck, stuck=stuck,
    )  # fmt: skip


@bp.post("/<plan_id>/<action>")
@requires("upload", hide=True)
def decision(plan_id: str, action: str) -> Response:
    """Approve, reject or withdraw a plan; audited with the signed-in user."""
    found = _plan_or_404(plan_id)
    if action not in ACTIONS:
        abort(404)
    rules = services().task_types.get(found.task_type)
    try:
        decide(db(), found.id, action, user().username, now(), sample_rate=rules.sample_rate if rules else 1.0,
               note=request.form.get("note", ""), ip=request.remote_addr)  # fmt: skip
    except PlanError as exc:
        db().rollback()
        flash(str(exc), "error")
        return redirect(url_for("plans.plan", plan_id=found.id))
    db().commit()
    sampled = (
        f"，抽样未选中 {found.not_sampled} 条（不拨打）" if action == "approve" and found.not_sampled else ""
    )
    flash(f"回访计划 {found.id} 已{ACTIONS[action]}{sampled}。", "ok")
    return redirect(url_for("plans.plan", plan_id=found.id))


def _plan_or_404(plan_id: str) -> ImportBatch:
    pid = parse_id(plan_id)
    found = db().get(ImportBatch, pid) if pid else None
    if found is None:
        abort(404)
    return found


def start_background_import(
    file: FileStorage, name: str, rules: TaskTypeRules, script: str | None, skip_invalid: bool
) -> int:
    """Keep an uploaded file, make a `loading` plan for it and import it in a background thread; return its id."""
    svc = services()
    who = user().username
    folder = svc.settings.var_dir / "uploads" / uuid.uuid4().hex  # the thread removes it when done
    folder.mkdir(parents=True)
    path = folder / name
    file.save(path)
    plan = ImportBatch(filename=path.name, sha256="", task_type=rules.id, created_by=who,
                       status=PlanStatus.LOADING, heartbeat_at=now())  # fmt: skip
    db().add(plan)
    db().flush()
    audit("import_started", f"batch:{plan.id}", file=path.name, type=rules.id)
    db().commit()
    job = ImportJob(
        svc.settings, path, rules, script, skip_invalid, who, now().astimezone(svc.settings.tz).date()
    )
    # A process of its own: reading and checking a big file is CPU work that would starve the web threads of
    # the interpreter lock, and so slow down the gateway's webhooks.
    SPAWN.Process(target=job.run, args=(plan.id,), name=f"import-{plan.id}", daemon=True).start()
    return plan.id


class ImportJob:
    """One upload imported outside the request, in another process: the page polls its plan for progress."""

    def __init__(self, settings: Settings, path: Path, rules: TaskTypeRules, script: str | None,
                 skip_invalid: bool, who: str, today: date) -> None:  # fmt: skip
        self.settings, self.path, self.rules = settings, path, rules
        self.script, self.skip_invalid, self.who, self.today = script, skip_invalid, who, today

    def run(self, plan_id: int) -> None:
        # A bulk writer: on SQLite it writes only between other connections' work (see dialer.model.turns).
        self.db = open_database(self.settings.database_url, bulk=True)
        try:
            self._import(plan_id)
        finally:
            self.db.dispose()

    def _import(self, plan_id: int) -> None:
        s = self.settings
        try:
            with self.db.session() as session:
                report = import_call_list(
                    session, self.path, self.rules, script=self.script, region=s.phone_region,
                    default_tz=s.timezone, today=self.today, skip_invalid=self.skip_invalid,
                    created_by=self.who, limits=Limits.of(s), plan_id=plan_id,
                )  # fmt: skip
            detail = {k: v for k, v in report.as_dict().items() if k not in ("errors", "skipped_rows")}
            if not report.committed:
                self._fail(plan_id, report.as_dict()["errors"], None)
            self._audit("import", plan_id, detail)
        except DialerError as exc:
            self._fail(plan_id, [], str(exc))
            self._audit("import", plan_id, {"error": str(exc)})
        except Exception:
            log.exception("background import of plan %s failed", plan_id)
            self._fail(plan_id, [], "导入时发生内部错误，未导入任何记录。请稍后重试，或联系管理员查看日志。")
        finally:
            shutil.rmtree(self.path.parent, ignore_errors=True)

    def _fail(self, plan_id: int, errors: object, message: str | None) -> None:
        with self.db.session() as session, session.begin():
            plan = session.get(ImportBatch, plan_id)
            if plan is None:
                return
            summary = json.loads(plan.summary) if plan.summary else {}
            if message:
                summary["message"] = message
            if isinstance(errors, list) and errors:
                summary["errors"] = [[e["row"], e["column"], e["reason"]] for e in errors[:500]]
            plan.status, plan.summary = PlanStatus.FAILED, json.dumps(summary, ensure_ascii=False)

    def _audit(self, action: str, plan_id: int, detail: dict[str, object]) -> None:
        with self.db.session() as session, session.begin():
            append_audit(session, self.who, action, f"batch:{plan_id}", detail, at=utcnow())
