"""The sign-in page says the same words for a locked account, a wrong password and a name that does not exist."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.web.seed import Seeded, csrf_token


def _refusal(client: FlaskClient, username: str, password: str = "wrong-password") -> str:
    data = {"username": username, "password": password, "csrf_token": csrf_token(client)}
    html = client.post("/login", data=data).get_data(as_text=True)
    found = re.findall(r'class="flash[^"]*"[^>]*>(.*?)<', html, re.S)
    assert found, html
    return " ".join(m.strip() for m in found)


def test_locked_and_unknown_accounts_get_the_same_message(client: FlaskClient, seeded: Seeded) -> None:
    unknown = _refusal(client, "no_such_user")
    wrong = _refusal(client, "wang_qc")
    for _ in range(4):
        _refusal(client, "wang_qc")
    locked = _refusal(client, "wang_qc", "correct-horse-1")
    assert unknown == wrong == locked
    assert "用户名或密码错误" in locked
