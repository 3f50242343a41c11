"""JSON shapes of the REST API, field for field as Twilio's OpenAPI description defines them."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from dialer.emulator.state import API_VERSION, Call, Recording, rfc2822

ROOT = f"/{API_VERSION}/Accounts"


def call_json(call: Call) -> dict[str, Any]:
    """Render a Call (api.v2010.account.call)."""
    base = f"{ROOT}/{call.account_sid}/Calls/{call.sid}"
    return {
        "sid": call.sid,
        "date_created": rfc2822(call.date_created),
        "date_updated": rfc2822(call.date_updated),
        "parent_call_sid": call.parent_call_sid,
        "account_sid": call.account_sid,
        "to": call.to,
        "to_formatted": call.to,
        "from": call.from_,
        "from_formatted": call.from_,
        "phone_number_sid": None,
        "status": call.status,
        "start_time": rfc2822(call.start_time) if call.status != "queued" else None,
        "end_time": rfc2822(call.end_time) if call.ended else None,
        "duration": str(call.duration) if call.ended and call.duration is not None else None,
        "price": None,
        "price_unit": "USD",
        "direction": call.direction,
        "answered_by": call.answered_by,
        "api_version": API_VERSION,
        "forwarded_from": None,
        "group_sid": None,
        "caller_name": None,
        "queue_time": str(call.queue_time),
        "trunk_sid": None,
        "uri": f"{base}.json",
        "subresource_uris": {
            name: f"{base}/{path}.json"
            for name, path in (
                ("feedback", "Feedback"),
                ("user_defined_messages", "UserDefinedMessages"),
                ("notifications", "Notifications"),
                ("recordings", "Recordings"),
                ("streams", "Streams"),
                ("payments", "Payments"),
                ("user_defined_message_subscriptions", "UserDefinedMessageSubscriptions"),
                ("siprec", "Siprec"),
                ("events", "Events"),
                ("feedback_summaries", "FeedbackSummaries"),
                ("transcriptions", "Transcriptions"),
            )
        },
    }


def recording_json(rec: Recording, base_url: str, per_call: bool = False) -> dict[str, Any]:
    """Render a Recording (api.v2010.account.recording, or .call.call_recording under a call)."""
    uri = f"{ROOT}/{rec.account_sid}/Recordings/{rec.sid}.json"
    if per_call:
        uri = f"{ROOT}/{rec.account_sid}/Calls/{rec.call_sid}/Recordings/{rec.sid}.json"
    body: dict[str, Any] = {
        "account_sid": rec.account_sid,
        "api_version": API_VERSION,
        "call_sid": rec.call_sid,
        "conference_sid": None,
        "date_created": rfc2822(rec.date_created),
        "date_updated": rfc2822(rec.date_updated),
        "start_time": rfc2822(rec.start_time),
        "duration": str(rec.duration),
        "sid": rec.sid,
        "price": None,
        "price_unit": "USD",
        "status": rec.status,
        "channels": rec.channels,
        "source": rec.source,
        "error_code": rec.error_code,
        "uri": uri,
        "encryption_details": None,
    }
    if per_call:
        body["track"] = rec.track
    else:
        body["subresource_uris"] = {
            "add_on_results": f"{ROOT}/{rec.account_sid}/Recordings/{rec.sid}/AddOnResults.json",
            "transcriptions": f"{ROOT}/{rec.account_sid}/Recordings/{rec.sid}/Transcriptions.json",
        }
        body["media_url"] = f"{base_url}{ROOT}/{rec.account_sid}/Recordings/{rec.sid}"
    return body


def page_json(
    key: str, items: list[dict[str, Any]], path: str, query: dict[str, str], page: int, size: int
) -> dict[str, Any]:
    """Render one list page with the single records key the SDK looks for.

    See Twilio's documentation: REST API "Paging", and the Call resource's "read multiple Call resources".
    """
    chunk = items[page * size : (page + 1) * size]

    def uri(p: int) -> str:
        q = {**query, "PageSize": str(size), "Page": str(p), "PageToken": f"PA{p}"}
        if p == 0:
            q.pop("PageToken")
        return f"{path}?{urlencode(q)}"

    return {
        key: chunk,
        "end": page * size + max(len(chunk) - 1, 0),
        "first_page_uri": uri(0),
        "next_page_uri": uri(page + 1) if (page + 1) * size < len(items) else None,
        "page": page,
        "page_size": size,
        "previous_page_uri": uri(page - 1) if page > 0 else None,
        "start": page * size,
        "uri": uri(page),
    }
