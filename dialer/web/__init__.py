"""Pages for agents, compliance officers, supervisors and admins. `init_app(app)` registers them all."""

from __future__ import annotations

from flask import Flask, request
from flask_wtf.csrf import CSRFProtect

from dialer.services import services
from dialer.web import errors, guard, helpers
from dialer.web.admin import bp as admin_bp
from dialer.web.agents import bp as agents_bp
from dialer.web.answers import bp as answers_bp
from dialer.web.auditlog import bp as audit_bp
from dialer.web.auth import bp as auth_bp
from dialer.web.calendar import bp as calendar_bp
from dialer.web.calls import bp as calls_bp
from dialer.web.customers import bp as worklists_bp
from dialer.web.dial import bp as dial_bp
from dialer.web.followups import bp as followups_bp
from dialer.web.plans import bp as plans_bp
from dialer.web.plans import warn_about_stuck_imports
from dialer.web.quality import bp as quality_bp
from dialer.web.report import bp as report_bp
from dialer.web.script_editor import bp as script_editor_bp
from dialer.web.scripts import bp as scripts_bp
from dialer.web.suggestions import bp as suggestions_bp
from dialer.web.tasks import bp as tasks_bp


def init_app(app: Flask) -> None:
    """Register the console's blueprints, CSRF protection, sign-in checks and error pages."""
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # a token lives as long as the session
    # The gateway's webhooks cannot carry a CSRF token: check only the console's own blueprints.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf = CSRFProtect(app)
    helpers.init_app(app)
    guard.init_app(app, services(app).settings.public_url)
    errors.init_app(app)

    @app.before_request
    def _csrf() -> None:
        if request.blueprint in errors.CONSOLE_BLUEPRINTS:
            csrf.protect()

    for bp in (auth_bp, agents_bp, answers_bp, calls_bp, audit_bp, admin_bp, plans_bp, report_bp, tasks_bp,
               calendar_bp, worklists_bp, scripts_bp, script_editor_bp, suggestions_bp, quality_bp,
               followups_bp, dial_bp):  # fmt: skip
        app.register_blueprint(bp)
    warn_about_stuck_imports(services(app))
