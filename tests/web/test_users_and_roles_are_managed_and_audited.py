"""Users: `dialer users` and the admin page create them with argon2 hashes, refuse bad input with a clear
message, and audit every addition and role change; a role change signs the user out at once."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from dialer.cli import main
from dialer.model import AuditEntry, Database, Role, User
from dialer.model.audit import verify_chain
from dialer.services import services
from dialer.settings import Settings
from tests.web.seed import Seeded, get, post, sign_in


def dialer(settings: Settings, *args: str) -> Result:
    env = {"DIALER_DATABASE_URL": settings.database_url, "DIALER_VAR_DIR": str(settings.var_dir)}
    return CliRunner().invoke(main, list(args), env=env)


def audit_actions(db: Database) -> list[tuple[str, str, dict[str, object]]]:
    with db.session() as s:
        return [
            (e.actor, e.action, e.detail or {}) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


@pytest.fixture
def cli_settings(app: Flask, database: Database) -> Settings:
    return services(app).settings


def test_the_command_line_adds_lists_and_changes_roles_with_an_audit_trail(
    cli_settings: Settings, database: Database
) -> None:
    added = dialer(cli_settings, "users", "add", "liu_qc", "--role", "compliance", "--display-name", "刘质检",
                   "--password", "s3cret-pass-1")  # fmt: skip
    assert added.exit_code == 0, added.output
    with database.session() as s:
        u = s.scalars(select(User).where(User.username == "liu_qc")).one()
        assert u.role == Role.COMPLIANCE and u.display_name == "刘质检"
        assert u.password_hash.startswith("$argon2") and "s3cret-pass-1" not in u.password_hash
    listed = json.loads(dialer(cli_settings, "users", "list", "--json").output)
    assert {"username": "liu_qc", "role": "compliance"}.items() <= listed[0].items()
    changed = dialer(cli_settings, "users", "set-role", "liu_qc", "supervisor")
    assert changed.exit_code == 0 and "合规质检 → 主管" in changed.output
    assert [(a, act) for a, act, _ in audit_actions(database)] == [
        ("cli", "user_add"),
        ("cli", "role_change"),
    ]
    assert audit_actions(database)[1][2] == {
        "username": "liu_qc",
        "before": "compliance",
        "after": "supervisor",
    }
    with database.session() as s:
        assert verify_chain(s) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("users", "add", "x", "--role", "agent", "--password", "long-enough-1"), "2 到 64 个英文字母"),
        (("users", "add", "bad name", "--role", "agent", "--password", "long-enough-1"), "2 到 64 个英文字母"),
        (("users", "add", "zhou", "--role", "boss", "--password", "long-enough-1"), "'boss' 不在可选范围内"),
        (("users", "add", "zhou", "--role", "agent", "--password", "short"), "至少 8 个字符"),
        (("users", "add", "zhou", "--role", "agent", "--password", "long-enough-1", "--display-name", "周" * 101),
         "姓名太长"),
        (("users", "add", "zhou", "--role", "agent", "--password", "long-enough-1", "--phone", "12345"), "不是有效的号码"),
        (("users", "set-role", "nobody", "agent"), "没有名为“nobody”的用户"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_a_clear_message_and_nothing_stored(
    cli_settings: Settings, database: Database, args: tuple[str, ...], message: str
) -> None:
    result = dialer(cli_settings, *args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    with database.session() as s:
        assert s.scalars(select(User)).all() == [] and s.scalars(select(AuditEntry)).all() == []


def test_a_second_user_of_the_same_name_is_refused(cli_settings: Settings) -> None:
    assert (
        dialer(
            cli_settings, "users", "add", "zhou", "--role", "agent", "--password", "long-enough-1"
        ).exit_code
        == 0
    )
    again = dialer(cli_settings, "users", "add", "zhou", "--role", "admin", "--password", "long-enough-2")
    assert again.exit_code != 0 and "已被使用" in again.output


def test_the_admin_page_adds_a_user_and_changes_a_role_and_both_are_audited(
    app: Flask, client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    sign_in(client, "admin")
    form = {"username": "sun_agent", "role": "agent", "password": "long-enough-1", "display_name": "孙专员",
            "phone": "13900002222"}  # fmt: skip
    post(client, "/admin/users", form, page="/admin/users")
    assert "已创建用户 sun_agent" in get(client, "/admin/users").get_data(as_text=True)
    with database.session() as s:
        sun = s.scalars(select(User).where(User.username == "sun_agent")).one()
        assert sun.phone == "+8613900002222" and sun.created_by_id == seeded.users["admin"]
    post(client, f"/admin/users/{sun.id}/role", {"role": "compliance"}, page="/admin/users")
    with database.session() as s:
        assert s.get(User, sun.id).role == Role.COMPLIANCE  # type: ignore[union-attr]
    trail = [(actor, action) for actor, action, _ in audit_actions(database)]
    assert ("admin", "user_add") in trail and ("admin", "role_change") in trail


def test_the_admin_page_refuses_a_bad_user_without_storing_anything(
    client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    sign_in(client, "admin")
    with database.session() as s:
        before = len(s.scalars(select(User)).all())
    post(
        client,
        "/admin/users",
        {"username": "x", "role": "agent", "password": "long-enough-1"},
        page="/admin/users",
    )
    page = get(client, "/admin/users").get_data(as_text=True)
    assert "无法创建用户" in page and "2 到 64 个英文字母" in page
    with database.session() as s:
        assert len(s.scalars(select(User)).all()) == before


def test_a_role_change_signs_the_user_out_of_every_page(
    app: Flask, client: FlaskClient, seeded: Seeded, database: Database
) -> None:
    sign_in(client, "agent")
    assert get(client, "/board").status_code == 200
    admin = app.test_client()
    sign_in(admin, "admin")
    post(admin, f"/admin/users/{seeded.users['agent']}/role", {"role": "compliance"}, page="/admin/users")
    after = get(client, "/board")
    assert after.status_code == 302 and "/login" in after.headers["Location"]
    sign_in(client, "agent")  # signing in again gives the new role's pages, not the old ones
    assert get(client, "/board").status_code == 403


def test_an_admin_sets_an_agents_phone_and_department_on_the_users_page(
    app: Flask, client: FlaskClient, seeded: Seeded, database: Database, cli_settings: Settings
) -> None:
    """Agents' legs and 拨打 ring the phone set here; 机构自访 is recorded only for the department set here."""
    added = dialer(cli_settings, "users", "add", "zhou", "--role", "agent", "--password", "long-enough-2",
                   "--department", "团险部")  # fmt: skip
    assert added.exit_code == 0, added.output
    sign_in(client, "admin")
    with database.session() as s:
        zhou = s.scalars(select(User).where(User.username == "zhou")).one()
        assert zhou.department == "团险部" and zhou.phone is None
    page = get(client, "/admin/users").get_data(as_text=True)
    assert "团险部" in page and "接听电话与部门" in page

    url = f"/admin/users/{zhou.id}/contact"
    post(client, url, {"phone": "12345", "department": "个险部"}, page="/admin/users")
    assert "不是有效的号码" in get(client, "/admin/users").get_data(as_text=True)
    with database.session() as s:
        still = s.get_one(User, zhou.id)
        assert (still.phone, still.department) == (None, "团险部")  # nothing half-set

    post(client, url, {"phone": "13812341234", "department": " 个险部 "}, page="/admin/users")
    assert "电话与部门已保存" in get(client, "/admin/users").get_data(as_text=True)
    with database.session() as s:
        now_set = s.get_one(User, zhou.id)
        assert (now_set.phone, now_set.department) == ("+8613812341234", "个险部")
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "user_contact")).one()
        assert entry.target == f"user:{zhou.id}" and entry.detail["department"] == "个险部"
    assert "修改电话与部门" in get(client, "/audit").get_data(as_text=True)

    cleared = dialer(cli_settings, "users", "set-contact", "zhou", "--department", "")
    assert cleared.exit_code == 0 and "部门 未设置" in cleared.output
    with database.session() as s:
        assert s.get_one(User, zhou.id).department is None
