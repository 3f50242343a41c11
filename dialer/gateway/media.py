"""Where recording media may be fetched from: the configured gateway's own origin, and nowhere else with
credentials.

A `RecordingUrl` arrives in a webhook form. Even a correctly signed form must not make the service send the
account's credentials, or any request at all, to a host the operator did not configure: the URL is checked
before the first byte is sent, and every redirect is checked again. Twilio answers a media request with a
redirect to a short-lived pre-signed URL on its media storage; such a hop is followed over HTTPS only, to the
provider's documented media domains, and without the credentials.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import requests

from dialer.errors import GatewayError

TWILIO_API = "https://api.twilio.com"
# Where Twilio keeps recording media and sends its pre-signed redirects (its own domains and its S3 storage).
TWILIO_MEDIA_DOMAINS = ("twilio.com", "twiliocdn.com", "amazonaws.com")
MAX_REDIRECTS = 3
Origin = tuple[str, str, int]


def origin(url: str) -> Origin | None:
    """Return (scheme, host, port) of an http(s) URL, or None when it is not one."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port or (443 if parts.scheme == "https" else 80)


class MediaPolicy:
    """Which URLs get the account's credentials, and which redirect targets may be followed without them."""

    def __init__(self, gateway_url: str) -> None:
        base = gateway_url.rstrip("/") if gateway_url else TWILIO_API
        found = origin(base)
        self.credentialed: frozenset[Origin] = frozenset({found} if found else ())
        # A real carrier's media may sit on its documented storage domains; a custom gateway keeps its own.
        self.media_domains = () if gateway_url else TWILIO_MEDIA_DOMAINS

    def with_credentials(self, url: str) -> bool:
        """Return whether `url` is on the configured gateway's own origin."""
        return origin(url) in self.credentialed

    def anonymous_hop(self, url: str) -> bool:
        """Return whether a redirect to `url` may be followed without credentials."""
        found = origin(url)
        if found is None or found[0] != "https":
            return False
        host = found[1]
        return any(host == d or host.endswith("." + d) for d in self.media_domains)


class MediaRefused(GatewayError):
    """A media URL outside the configured gateway: nothing was requested, and asking again cannot help."""


def refused(url: str) -> MediaRefused:
    """The error for a media URL outside the configured gateway: permanent, nothing was requested."""
    host = (origin(url) or ("", "(无效地址)", 0))[1]
    return MediaRefused(
        f"录音地址的主机 {host} 不是配置的网关（DIALER_GATEWAY_URL），未下载；请检查网关配置或来源",
        permanent=True,
    )


def download(policy: MediaPolicy, url: str, auth: tuple[str, str], timeout: float) -> requests.Response:
    """GET `url`, credentials only on the gateway's origin, following only the redirects the policy allows."""
    if not policy.with_credentials(url):
        raise refused(url)
    current, send_auth = url, True
    for _hop in range(MAX_REDIRECTS + 1):
        r = requests.get(current, auth=auth if send_auth else None, timeout=timeout, allow_redirects=False)
        if not r.is_redirect:
            return r
        target = urljoin(current, r.headers.get("Location", ""))
        r.close()
        if policy.with_credentials(target):
            current, send_auth = target, True
        elif policy.anonymous_hop(target):
            current, send_auth = target, False
        else:
            raise refused(target)
    raise GatewayError(f"录音下载被重定向超过 {MAX_REDIRECTS} 次，已放弃", permanent=True)
