"""A stream whose handshake is not signed by the gateway, or whose token the service did not make, is refused."""

from __future__ import annotations

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from dialer.gateway.streams import stream_token

from .conftest import Line, StreamCustomer, signed_connect, silence, stream_of


def test_a_handshake_without_the_gateways_signature_is_refused(
    line: Line, caplog: pytest.LogCaptureFixture
) -> None:
    stream = stream_of(line.open_call())
    with pytest.raises(InvalidStatus) as refused:
        signed_connect(line.settings, stream["url"], key="not-the-auth-token")
    assert refused.value.response.status_code == 403
    assert "refused a stream" in caplog.text
    assert line.heard() == []


@pytest.mark.parametrize("forgery", ["token of another step", "no token", "another attempt"])
def test_a_stream_with_a_forged_token_is_closed_and_nothing_is_heard(line: Line, forgery: str) -> None:
    stream = stream_of(line.open_call())
    params = dict(stream["params"])
    key = line.settings.twilio_auth_token
    if forgery == "token of another step":
        params["token"] = stream_token(line.attempt_id, 2, key)
    elif forgery == "no token":
        del params["token"]
    else:
        params["attempt"] = str(line.attempt_id + 1)
    with signed_connect(line.settings, stream["url"]) as ws:
        customer = StreamCustomer(ws, {**stream, "params": params})
        customer.start()
        with pytest.raises(ConnectionClosed) as closed:
            customer.say(silence(0.2))
            ws.recv(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    assert line.heard() == [] and line.gateway.updates == []
