"""The hashed form of an entry is the one documented in `app.audit.hashing`, byte for byte."""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from app.audit.hashing import canonical, entry_hash, timestamp
from app.audit.models import AuditEntry
from app.audit.service import record
from app.kit.actors import Actor, ActorKind
from app.services import Services
from tests.audit.helpers import entries
from tests.factories import Factory

# Written by hand from the documented rules: keys sorted at every depth, no whitespace,
# `"` and control characters escaped, everything else (é, ✓, /) as itself, UTC with µs.
CANONICAL = (
    r'{"action":"evidence.viewed","actor_id":"0b9e4c1a-2f3d-4e5f-8a6b-7c8d9e0f1a2b",'
    r'"actor_kind":"user","actor_name":"Ana \"Safeguarding\" Lead",'
    r'"details":{"a":{"b":-5,"y":[true,null,"é/\n\t\u0001"]},"z":1},"ip":"2001:db8::1",'
    r'"occurred_at":"2026-04-02T14:30:05.000123Z",'
    r'"prev_hash":"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",'
    r'"reason":"Chain of custody ✓","seq":7,"subject_id":"evi_f1a2","subject_type":"Evidence",'
    r'"tenant_id":"6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"}'
)
# The same figure as `sha256sum` gives for the 32 bytes 00…1f followed by CANONICAL.
KNOWN_HASH = "bcc08bbe15496fba354a353e23230bd82ec6139169a0b78542612df1a1acf498"


def fixed_entry(**overrides: Any) -> AuditEntry:
    values: dict[str, Any] = {
        "tenant_id": uuid.UUID("6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"),
        "seq": 7,
        # 16:30 at UTC+2 is 14:30 UTC: the form always speaks UTC.
        "occurred_at": datetime(2026, 4, 2, 16, 30, 5, 123, tzinfo=timezone(timedelta(hours=2))),
        "actor_kind": "user",
        "actor_id": uuid.UUID("0b9e4c1a-2f3d-4e5f-8a6b-7c8d9e0f1a2b"),
        "actor_name": 'Ana "Safeguarding" Lead',
        "action": "evidence.viewed",
        "subject_type": "Evidence",
        "subject_id": "evi_f1a2",
        "details": {"z": 1, "a": {"y": [True, None, "é/\n\t\x01"], "b": -5}},
        "ip": "2001:db8::1",
        "reason": "Chain of custody ✓",
        "prev_hash": bytes(range(32)),
    }
    return AuditEntry(**{**values, **overrides})


class TestCanonicalForm:
    def test_a_fixed_entry_has_the_documented_form_and_a_known_hash(self) -> None:
        entry = fixed_entry()
        assert canonical(entry) == CANONICAL.encode("utf-8")
        by_hand = hashlib.sha256(bytes(range(32)) + CANONICAL.encode("utf-8")).hexdigest()
        assert entry_hash(entry).hex() == by_hand == KNOWN_HASH

    def test_the_form_does_not_depend_on_key_order(self) -> None:
        reordered = fixed_entry(details={"a": {"b": -5, "y": [True, None, "é/\n\t\x01"]}, "z": 1})
        assert canonical(reordered) == canonical(fixed_entry())

    def test_tenant_and_position_are_part_of_the_hash(self) -> None:
        moved = fixed_entry(tenant_id=uuid.uuid4())
        shifted = fixed_entry(seq=8)
        assert len({entry_hash(e) for e in (fixed_entry(), moved, shifted)}) == 3

    def test_timestamps_always_carry_six_fractional_digits(self) -> None:
        assert timestamp(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-01-01T00:00:00.000000Z"

    def test_absent_values_are_null(self) -> None:
        entry = fixed_entry(actor_id=None, actor_name=None, subject_id=None, ip=None, reason=None)
        text = canonical(entry).decode()
        for key in ("actor_id", "actor_name", "subject_id", "ip", "reason"):
            assert f'"{key}":null' in text


async def test_an_entry_read_back_from_the_database_hashes_as_written(
    services: Services, factory: Factory
) -> None:
    """What `jsonb` and `timestamptz` hand back must give the same bytes as what went in."""
    tenant = await factory.tenant()
    details = {
        "zeta": "",
        "Émile": {"big": 2**63 + 1, "neg": -(10**30), "flags": [False, True, None]},
        'quote"back\\slash': "tab\tnew\nline\u2028sep \U0001f512",
        "": [[], {}],
    }
    async with services.db.transaction() as work:
        made = await record(
            work.session,
            tenant.id,
            Actor(ActorKind.CONTACT, None, "Reporter ü"),
            "report.received",
            "Report",
            "rpt_1",
            details,
            reason="Line one\r\nline two",
        )
        written = canonical(made)
    (row,) = await entries(services, tenant.id)
    assert canonical(row) == written
    assert entry_hash(row) == row.hash == made.hash
