"""Web origins (`https://example.com`) a widget token may be used from, in the one spelling
browsers send in the Origin header, so a stored origin and a request's compare as strings."""

import re
from urllib.parse import urlsplit

from app.kit.errors import ValidationFailed

ORIGINS_MAX = 20
ORIGIN_MAX = 300
DEFAULT_PORTS = {"http": 80, "https": 443}
# A DNS name or IPv4 address, or an IPv6 address (its brackets already taken off).
HOST = re.compile(r"[a-z0-9.-]+|[0-9a-f:.]*:[0-9a-f:.]*")


def normalise(raw: str) -> str | None:
    """`scheme://host[:port]` in lower case without a default port, or None if `raw` is not
    an http(s) origin (a path, query, credentials or the opaque `null` make it none)."""
    text = raw.strip()
    if any(char in text for char in "?#@\\") or any(char.isspace() for char in text):
        return None
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname or ""
    if parts.scheme not in DEFAULT_PORTS or parts.path not in ("", "/"):
        return None
    # Browsers send internationalised names in their ASCII (punycode) form.
    if not HOST.fullmatch(host):
        return None
    if ":" in host:
        host = f"[{host}]"
    suffix = f":{port}" if port is not None and port != DEFAULT_PORTS[parts.scheme] else ""
    return f"{parts.scheme}://{host}{suffix}"


def allowed_origins(values: list[str], field: str = "allowedOrigins") -> list[str]:
    """The origins normalised and de-duplicated; anything that is not an origin is refused."""
    if len(values) > ORIGINS_MAX:
        raise ValidationFailed(f"at most {ORIGINS_MAX} origins are allowed", field=field)
    cleaned = []
    for value in values:
        origin = normalise(value) if len(value) <= ORIGIN_MAX else None
        if origin is None:
            raise ValidationFailed(
                f"{value[:ORIGIN_MAX]!r} is not an origin like https://example.com", field=field
            )
        cleaned.append(origin)
    return list(dict.fromkeys(cleaned))


def permits(allowed: list[str], origin: str | None) -> bool:
    """Whether a request sent with this Origin header may use a token limited to `allowed`.

    No Origin header means no browser sent it: origins only stop other sites' pages from using
    the token, since any server can claim whatever origin it likes."""
    if origin is None or not allowed:
        return True
    return normalise(origin) in allowed
