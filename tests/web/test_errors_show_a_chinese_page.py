"""No page ever shows a traceback: a crash, an unknown URL and a missing CSRF token get the Chinese page."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.web.seed import Seeded, get, sign_in


def test_a_view_that_raises_gets_the_chinese_error_page(
    app: Flask, client: FlaskClient, seeded: Seeded
) -> None:
    def boom() -> str:
        raise RuntimeError("secret internal detail")

    from dialer.web.auth import bp

    app.view_functions["auth.home"] = boom  # a console route that crashes
    resp = get(client, "/")
    text = resp.get_data(as_text=True)
    assert resp.status_code == 500
    assert "系统内部错误" in text
    assert "Traceback" not in text and "secret internal detail" not in text and "RuntimeError" not in text
    assert bp.name == "auth"


def test_an_unknown_url_gets_the_chinese_not_found_page(client: FlaskClient) -> None:
    resp = get(client, "/no/such/page")
    assert resp.status_code == 404
    assert "未找到" in resp.get_data(as_text=True)


def test_a_form_without_its_csrf_token_is_refused(client: FlaskClient, seeded: Seeded) -> None:
    resp = client.post("/login", data={"username": "admin", "password": "whatever-it-is"})
    assert resp.status_code == 400
    assert "CSRF" in resp.get_data(as_text=True)


def test_a_forbidden_page_says_so_in_chinese(client: FlaskClient, seeded: Seeded) -> None:
    sign_in(client, "agent")
    resp = get(client, "/audit")
    assert resp.status_code == 403
    assert "无权访问" in resp.get_data(as_text=True)
