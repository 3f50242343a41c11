"""First run: with no user the sign-in page says how to make the first admin; the demo's printed accounts (one per
role) sign in. Admins reset passwords, unlock and deactivate accounts on the users page and with `dialer users`,
each audited."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select

from dialer.cli.demo import account_lines
from dialer.demo.users import create_demo_users
from dialer.model import AuditEntry, Database, User
from tests.foundation.helpers import run_cli
from tests.web.seed import NOW, PERSONAS, add_personas, csrf_token, get, post, sign_in

PRINTED = re.compile(r"用户名 (\S+)\s+密码 (\S+)（")


def signs_in(client: FlaskClient, username: str, password: str) -> bool:
    resp = client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_token(client)})  # fmt: skip
    ok = resp.status_code == 302
    if ok:
        client.post("/logout", data={"csrf_token": csrf_token(client, resp.headers["Location"])})
    return ok


def test_the_sign_in_page_says_how_to_make_the_first_admin(client: FlaskClient, database: Database) -> None:
    page = get(client, "/login").get_data(as_text=True)
    assert "还没有任何用户" in page and "dialer users add 用户名 --role admin" in page
    add_personas(database)
    assert "还没有任何用户" not in get(client, "/login").get_data(as_text=True)


def test_each_account_the_demo_prints_signs_in(client: FlaskClient, database: Database) -> None:
    printed = "\n".join(account_lines(create_demo_users(database)))
    accounts = PRINTED.findall(printed)
    assert len(accounts) == 4 and {"系统管理员", "主管", "回访专员", "合规质检"} <= set(
        re.findall(r"(\S+)：用户名", printed)
    )
    for username, password in accounts:
        assert signs_in(client, username, password), username
        assert not signs_in(client, username, password + "x")


def test_an_admin_resets_unlocks_and_deactivates_on_the_page(client: FlaskClient, database: Database) -> None:
    ids = add_personas(database)
    agent, agent_id = PERSONAS["agent"][0], ids["agent"]
    with database.session() as s, s.begin():
        s.get_one(User, agent_id).locked_until = NOW + timedelta(minutes=10)
    sign_in(client, "admin")
    page = get(client, "/admin/users").get_data(as_text=True)
    assert "解除锁定" in page and "重置密码" in page and "停用" in page
    post(client, f"/admin/users/{agent_id}/unlock", page="/admin/users")
    post(client, f"/admin/users/{agent_id}/password", {"password": "short"}, page="/admin/users")
    assert "密码太短" in get(client, "/admin/users").get_data(as_text=True)
    post(client, f"/admin/users/{agent_id}/password", {"password": "新的密码 2026 秋"}, page="/admin/users")
    assert "已设置新密码" in get(client, "/admin/users").get_data(as_text=True)
    post(client, f"/admin/users/{agent_id}/deactivate", page="/admin/users")
    with database.session() as s:
        u = s.get_one(User, agent_id)
        assert u.locked_until is None and not u.active
        actions = [
            a for (a,) in s.execute(select(AuditEntry.action).where(AuditEntry.target == f"user:{agent_id}"))
        ]
    assert actions == ["user_unlock", "password_reset", "user_deactivate"]
    other = client.application.test_client()
    assert not signs_in(other, agent, "新的密码 2026 秋")  # deactivated
    post(client, f"/admin/users/{agent_id}/activate", page="/admin/users")
    assert signs_in(other, agent, "新的密码 2026 秋")


def test_the_command_resets_unlocks_and_deactivates(database: Database, tmp_path: Path) -> None:
    ids = add_personas(database)
    name = PERSONAS["supervisor"][0]
    with database.session() as s, s.begin():
        s.get_one(User, ids["supervisor"]).locked_until = NOW + timedelta(days=365)
    done = run_cli(["users", "unlock", name], database.url, tmp_path)
    assert done.exit_code == 0 and f"已解除 {name} 的锁定" in done.output
    done = run_cli(["users", "reset-password", name, "--password", "另一个密码 abc"], database.url, tmp_path)
    assert done.exit_code == 0 and "已为" in done.output
    done = run_cli(["users", "deactivate", name], database.url, tmp_path)
    assert done.exit_code == 0 and "已停用" in done.output
    missing = run_cli(["users", "unlock", "nobody"], database.url, tmp_path)
    assert missing.exit_code == 1 and "没有名为“nobody”的用户" in missing.output
    with database.session() as s:
        u = s.get_one(User, ids["supervisor"])
        assert u.locked_until is None and not u.active
        actions = [a for (a,) in s.execute(select(AuditEntry.action).where(AuditEntry.actor == "cli"))]
    assert actions == ["user_unlock", "password_reset", "user_deactivate"]
