"""The canonical form of an audit entry and its hash, precise enough to recompute outside Haven.

Each tenant's audit log is a chain: entry `seq` (1, 2, 3, … with no gaps) stores

    hash = SHA-256(prev_hash || canonical)

where `prev_hash` is the 32-byte `hash` of entry `seq - 1` (32 zero bytes for entry 1), `||`
is byte concatenation, and `canonical` is the UTF-8 encoding of one JSON object holding every
column of the entry except `hash` itself:

    key            value
    action         string
    actor_id       string (UUID, lowercase, hyphenated) or null
    actor_kind     string: "user", "api_key", "contact" or "system"
    actor_name     string or null
    details        object (see below)
    ip             string or null
    occurred_at    string "YYYY-MM-DDTHH:MM:SS.ffffffZ": UTC, always six fractional digits
    prev_hash      string: the 64 lowercase hexadecimal digits of prev_hash
    reason         string or null
    seq            integer
    subject_id     string or null
    subject_type   string
    tenant_id      string (UUID, lowercase, hyphenated)

The JSON is written with no whitespace at all, object keys (at every depth) sorted by Unicode
code point, integers in plain decimal, `true`/`false`/`null`, and strings in double quotes
with `"` and `\\` escaped as `\\"` and `\\\\`, the controls U+0008, U+0009, U+000A, U+000C and
U+000D as `\\b`, `\\t`, `\\n`, `\\f` and `\\r`, other characters below U+0020 as `\\u00xx`
(lowercase hex), and every other character written as itself (not escaped; `/` included).
This is what Python's `json.dumps(content, sort_keys=True, separators=(",", ":"),
ensure_ascii=False).encode("utf-8")` produces.

`details` holds strings, integers, booleans, null, arrays and objects only. Fractional numbers
are refused because PostgreSQL's `jsonb` may rewrite how they are written, and U+0000 is
refused because PostgreSQL cannot store it; so what is read back hashes exactly as written.

Putting `tenant_id` and `seq` in the hashed content means an entry cannot be moved to another
tenant or another position without its hash changing.
"""

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from app.audit.models import AuditEntry
from app.kit.errors import ValidationFailed

GENESIS = bytes(32)


def timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _uuid(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


def content(entry: AuditEntry) -> dict[str, Any]:
    """Every column of the entry but `hash`, as the canonical JSON object holds them."""
    return {
        "action": entry.action,
        "actor_id": _uuid(entry.actor_id),
        "actor_kind": entry.actor_kind,
        "actor_name": entry.actor_name,
        "details": entry.details,
        "ip": entry.ip,
        "occurred_at": timestamp(entry.occurred_at),
        "prev_hash": entry.prev_hash.hex(),
        "reason": entry.reason,
        "seq": entry.seq,
        "subject_id": entry.subject_id,
        "subject_type": entry.subject_type,
        "tenant_id": str(entry.tenant_id),
    }


def canonical(entry: AuditEntry) -> bytes:
    return json.dumps(
        content(entry), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def entry_hash(entry: AuditEntry) -> bytes:
    """SHA-256 over the stored `prev_hash` bytes followed by the canonical content."""
    return hashlib.sha256(entry.prev_hash + canonical(entry)).digest()


def storable_text(value: str | None, field: str) -> str | None:
    """Text PostgreSQL stores and UTF-8 encodes exactly: no U+0000, no lone surrogates."""
    if value is not None and ("\x00" in value or _unencodable(value)):
        raise ValidationFailed(f"{field} contains characters that cannot be stored", field=field)
    return value


def _unencodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def storable_details(value: Any, field: str = "details") -> Any:
    """`value` itself when it hashes the same after a round trip through `jsonb`."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return storable_text(value, field)
    if isinstance(value, list):
        return [storable_details(item, field) for item in value]
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValidationFailed(f"{field} keys must be strings", field=field)
            storable_text(key, field)
            storable_details(item, field)
        return value
    raise ValidationFailed(
        f"{field} may hold strings, integers, booleans, null, arrays and objects only",
        field=field,
    )
