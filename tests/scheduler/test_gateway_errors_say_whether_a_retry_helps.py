"""The gateway client against a tiny local gateway that answers with Twilio's errors: 21211 is permanent and
sent once; 20429, 5xx and timeouts are retried with backoff; a timed-out create is never sent twice."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dialer.errors import GatewayError
from dialer.gateway.client import CallRequest, Gateway, InvalidNumber
from dialer.settings import Settings

CALL = {"sid": "CA" + "0" * 32, "status": "queued", "to": "+8613700000001", "duration": None}
REQUEST = CallRequest(to="+8613700000001", voice_url="http://127.0.0.1:9/v", status_callback="http://127.0.0.1:9/s",
                      recording_status_callback="http://127.0.0.1:9/r")  # fmt: skip


class FakeGateway(ThreadingHTTPServer):
    """Answers each create with the next scripted reply; records every request."""

    def __init__(self, replies: list[tuple[int, dict] | float]) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.replies = replies
        self.requests: list[str] = []


class Handler(BaseHTTPRequestHandler):
    server: FakeGateway

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.requests.append("create")
        reply = self.server.replies.pop(0) if self.server.replies else (201, CALL)
        if isinstance(reply, float):  # answer too late: the client times out, yet the call was created
            time.sleep(reply)
            reply = (201, CALL)
        self._send(*reply)

    def do_GET(self) -> None:
        self.server.requests.append("list")
        created = format_datetime(datetime.now(UTC))
        calls = [dict(CALL, date_created=created)] if "create" in self.server.requests else []
        self._send(200, {"calls": calls, "next_page_uri": None, "page": 0, "page_size": 20, "start": 0, "end": 0,
                         "uri": self.path, "first_page_uri": self.path, "previous_page_uri": None})  # fmt: skip

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake() -> Iterator[FakeGateway]:
    server = FakeGateway([])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def gateway(fake: FakeGateway) -> Gateway:
    settings = Settings(gateway_url=f"http://127.0.0.1:{fake.server_address[1]}")
    return Gateway(settings, retries=2, backoff=0.05, timeout=0.5)


def error(code: int, status: int) -> tuple[int, dict]:
    return status, {"code": code, "message": f"error {code}", "more_info": "", "status": status}


def test_an_invalid_number_is_permanent_and_sent_once(fake: FakeGateway) -> None:
    fake.replies = [error(21211, 400)]
    with pytest.raises(InvalidNumber) as caught:
        gateway(fake).place_call(REQUEST)
    assert caught.value.permanent and caught.value.code == 21211
    assert fake.requests == ["create"]


def test_a_wrong_caller_id_is_permanent_but_not_the_numbers_fault(fake: FakeGateway) -> None:
    fake.replies = [error(21212, 400)]
    with pytest.raises(GatewayError) as caught:
        gateway(fake).place_call(REQUEST)
    assert caught.value.permanent and not isinstance(caught.value, InvalidNumber)
    assert fake.requests == ["create"]


@pytest.mark.parametrize("reply", [error(20429, 429), error(20500, 500), (503, {"message": "down"})],
                         ids=["20429", "20500", "503"])  # fmt: skip
def test_a_transient_error_is_retried_until_it_passes(fake: FakeGateway, reply: tuple[int, dict]) -> None:
    fake.replies = [reply, reply]
    assert gateway(fake).place_call(REQUEST).sid == CALL["sid"]
    assert fake.requests == ["create", "create", "create"]


def test_a_transient_error_that_lasts_gives_up_as_transient(fake: FakeGateway) -> None:
    fake.replies = [error(20429, 429)] * 3
    with pytest.raises(GatewayError) as caught:
        gateway(fake).place_call(REQUEST)
    assert not caught.value.permanent and caught.value.code == 20429
    assert fake.requests == ["create"] * 3


def test_a_timed_out_create_is_looked_up_not_sent_again(fake: FakeGateway) -> None:
    fake.replies = [1.0]  # the call is created, but the answer comes after the client gave up
    info = gateway(fake).place_call(REQUEST, since=datetime.now(UTC))
    assert info.sid == CALL["sid"]
    assert fake.requests == ["create", "list"]  # adopted: the customer's phone rings once
