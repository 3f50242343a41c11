"""Every parameter the emulator reads and every field it returns is in Twilio's OpenAPI
description, and its JSON validates against the response schemas there."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import requests
from twilio.rest import Client

from dialer.emulator import Emulator, validation
from tests.emulator.conftest import ended, wait_for
from tests.emulator.ivr import FakeIvr, twiml

# The Calls, Recordings and Queues part of Twilio's OpenAPI description (twilio-oai, Apache 2.0), with every
# schema those paths refer to; see tests/data/twilio/README.md.
SPEC = (
    Path(__file__).resolve().parents[1] / "data" / "twilio" / "twilio_api_v2010_calls_recordings_queues.json"
)
ACC = "/2010-04-01/Accounts/{AccountSid}"


@cache
def spec() -> dict[str, Any]:
    return json.loads(SPEC.read_text(encoding="utf-8"))


def _nullable(node: Any) -> Any:
    """Turn OpenAPI 3.0 `nullable: true` into JSON Schema's null type, so jsonschema understands it."""
    if isinstance(node, list):
        return [_nullable(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        elif "$ref" in out:
            out = {"anyOf": [{"$ref": out["$ref"]}, {"type": "null"}]}
        else:
            out = {"anyOf": [out, {"type": "null"}]} if out else {}
    return out


def operation(path: str, method: str) -> dict[str, Any]:
    op: dict[str, Any] = spec()["paths"][ACC + path][method]
    return op


def check(body: dict[str, Any], path: str, method: str, status: str) -> None:
    """Validate a response against its schema, with every field defined there."""
    schema = operation(path, method)["responses"][status]["content"]["application/json"]["schema"]
    components = _nullable(spec()["components"])
    jsonschema.validate(body, {**_nullable(schema), "components": components})
    props = _resolve(schema)["properties"]
    assert set(body) <= set(props), sorted(set(body) - set(props))
    for key, value in body.items():
        item = _resolve(props[key]).get("items")
        if isinstance(value, list) and item and "$ref" in item:
            for record in value:
                assert set(record) <= set(_resolve(item)["properties"]), sorted(
                    set(record) - set(_resolve(item)["properties"])
                )


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        return spec()["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]  # type: ignore[no-any-return]
    return node


def test_every_parameter_read_is_defined() -> None:
    body = operation("/Calls.json", "post")["requestBody"]["content"]["application/x-www-form-urlencoded"]
    assert set(validation.CREATE_PARAMS) <= set(body["schema"]["properties"])
    update = operation("/Calls/{Sid}.json", "post")["requestBody"]["content"][
        "application/x-www-form-urlencoded"
    ]
    assert set(validation.UPDATE_PARAMS) <= set(update["schema"]["properties"])
    queries = {p["name"] for p in operation("/Calls.json", "get")["parameters"]}
    assert set(validation.LIST_CALL_PARAMS) <= queries
    queries = {p["name"] for p in operation("/Recordings.json", "get")["parameters"]}
    assert set(validation.LIST_RECORDING_PARAMS) <= queries


def test_every_response_matches_its_schema(client: Client, emu: Emulator, ivr: FakeIvr) -> None:
    ivr.route("/voice")(lambda f: twiml('<Say>Hi</Say><Record maxLength="4" timeout="1" action="/done"/>'))
    ivr.route("/done")(lambda f: twiml("<Hangup/>"))
    auth = (client.account_sid, client.password)
    base = f"{emu.url}/2010-04-01/Accounts/{client.account_sid}"
    form = {"To": "+8613800000101", "From": "+862161234567", "Url": f"{ivr.url}/voice", "Record": "true"}
    created = requests.post(f"{base}/Calls.json", data=form, auth=auth, timeout=10)
    assert created.status_code == 201
    check(created.json(), "/Calls.json", "post", "201")
    sid = created.json()["sid"]
    ended(client, sid)
    wait_for(lambda: len(client.recordings.list(call_sid=sid)) == 2)
    check(
        requests.get(f"{base}/Calls/{sid}.json", auth=auth, timeout=10).json(),
        "/Calls/{Sid}.json",
        "get",
        "200",
    )
    updated = requests.post(f"{base}/Calls/{sid}.json", data={"Status": "completed"}, auth=auth, timeout=10)
    check(updated.json(), "/Calls/{Sid}.json", "post", "200")
    check(requests.get(f"{base}/Calls.json", auth=auth, timeout=10).json(), "/Calls.json", "get", "200")
    recs = requests.get(f"{base}/Recordings.json", params={"CallSid": sid}, auth=auth, timeout=10).json()
    check(recs, "/Recordings.json", "get", "200")
    rsid = recs["recordings"][0]["sid"]
    one = requests.get(f"{base}/Recordings/{rsid}.json", auth=auth, timeout=10).json()
    check(one, "/Recordings/{Sid}.json", "get", "200")
    per_call = requests.get(f"{base}/Calls/{sid}/Recordings.json", auth=auth, timeout=10).json()
    check(per_call, "/Calls/{CallSid}/Recordings.json", "get", "200")
