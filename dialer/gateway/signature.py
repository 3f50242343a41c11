"""Sign and check `X-Twilio-Signature` the way Twilio and its SDK do.

See Twilio's documentation, "Webhooks security": validating signatures from Twilio.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit, urlunsplit

Params = Mapping[str, str] | Iterable[tuple[str, str]]


def _pairs(params: Params | None) -> list[tuple[str, str]]:
    """Return the parameters as (name, value) pairs, keeping repeated names."""
    if params is None:
        return []
    if isinstance(params, Mapping):
        getlist = getattr(params, "getlist", None)
        if getlist is not None:  # a werkzeug MultiDict: every value of a repeated key counts
            return [(k, v) for k in params for v in getlist(k)]
        return [(str(k), str(v)) for k, v in params.items()]
    return [(str(k), str(v)) for k, v in params]


def compute_signature(url: str, params: Params | None, auth_token: str) -> str:
    """Return base64(HMAC-SHA1(token, url + sorted name+value pairs)), as Twilio signs a webhook."""
    payload = url + "".join(k + v for k, v in sorted(_pairs(params)))
    digest = hmac.new(auth_token.encode("utf-8"), payload.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _url_variants(url: str) -> list[str]:
    """Return the URL as given, without its port and with the default port, as the SDK tries them."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    userinfo = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    bare = urlunsplit((parts.scheme, userinfo + host, parts.path, parts.query, parts.fragment))
    variants = [url, bare]
    if parts.port is None:
        port = 443 if parts.scheme == "https" else 80
        variants.append(urlunsplit((parts.scheme, f"{userinfo}{host}:{port}", parts.path, parts.query, "")))
    return variants


def validate_signature(url: str, params: Params | None, signature: str, auth_token: str) -> bool:
    """Return True when `signature` signs this URL and these parameters with the auth token."""
    if not signature:
        return False
    # The SDK de-duplicates repeated values; accept both that and the raw pairs.
    pairs = _pairs(params)
    candidates = [pairs, sorted(set(pairs))]
    return any(
        hmac.compare_digest(compute_signature(u, p, auth_token), signature)
        for u in _url_variants(url)
        for p in candidates
    )
