"""Evidence preserved on cases and every access to it, through the service the API calls."""

import hashlib
import json
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.evidence.inputs import Origin
from app.evidence.models import CustodyAction
from app.kit.errors import Forbidden, NotFound, ValidationFailed
from app.services import Services
from app.storage.local import LocalEvidenceStore
from app.storage.store import EvidenceMissing, EvidenceTampered
from tests.cases.helpers import timeline
from tests.evidence.helpers import (
    ORIGIN,
    audit_rows,
    build_scene,
    chain_intact,
    custody_rows,
    evidence_rows,
    upload,
)
from tests.factories import Factory
from tests.webhooks.helpers import event, new_connector, post_event


async def test_preserve_list_view_download_round_trip_records_every_access(
    factory: Factory, services: Services
) -> None:
    scene = await build_scene(factory, services)
    content = f"You will regret reporting me {uuid.uuid4()}".encode()
    lead = scene.custody(services, "safeguarding_lead")
    preserved = await lead.preserve_upload(services.evidence, upload(scene.case, content))
    item = preserved.item
    assert item.sha256 == hashlib.sha256(content).hexdigest()
    assert item.size == len(content) and item.content_type == "text/plain; charset=utf-8"
    assert item.retention_mode == "WRITE_ONCE" and item.retain_until is not None

    agent = scene.custody(services, "agent", Origin("198.51.100.4", "Agent-Browser/2"))
    listing = await agent.listing(scene.case.id, 25, None)
    assert [evidence.item.id for evidence, _ in listing.page.items] == [item.id]
    assert listing.total == 1
    viewed = await agent.view(item.id, "Checking what was sent")
    assert viewed.item.sha256 == item.sha256
    found, body = await agent.download(services.evidence, item.id, "Quoting it in the referral")
    assert body == content and hashlib.sha256(body).hexdigest() == found.sha256

    log = await custody_rows(services, scene.world.tenant.id)
    assert [entry.action for entry in log] == ["preserved", "listed", "viewed", "downloaded"]
    assert all(entry.evidence_id == item.id and entry.case_id == scene.case.id for entry in log)
    assert [entry.actor_id for entry in log] == [scene.people["safeguarding_lead"].id] + [
        scene.people["agent"].id
    ] * 3
    assert [entry.reason for entry in log] == [
        "Preserve before the sender deletes it",
        None,
        "Checking what was sent",
        "Quoting it in the referral",
    ]
    assert [(entry.ip, entry.user_agent) for entry in log] == [
        (ORIGIN.ip, ORIGIN.user_agent),
        *[("198.51.100.4", "Agent-Browser/2")] * 3,
    ]
    assert all(entry.created_at is not None for entry in log)

    audit = [e for e in await audit_rows(services, scene.world.tenant.id) if "evidence" in e.action]
    assert [entry.action for entry in audit] == [
        "evidence.preserved",
        "evidence.listed",
        "evidence.viewed",
        "evidence.downloaded",
    ]
    assert {entry.subject_id for entry in audit} == {f"evi_{item.id}"}
    assert audit[-1].ip == "198.51.100.4" and audit[-1].reason == "Quoting it in the referral"
    assert audit[-1].details["user_agent"] == "Agent-Browser/2"
    assert await chain_intact(services, scene.world.tenant.id)
    [note] = [e for e in await timeline(services, scene.case) if e.type == "evidence_preserved"]
    assert note.details == {"evidence_id": f"evi_{item.id}", "type": "message"}
    assert note.actor_id == scene.people["safeguarding_lead"].id


async def test_a_tampered_file_fails_its_check_and_the_attempt_is_on_record(
    factory: Factory, services: Services
) -> None:
    scene = await build_scene(factory, services)
    admin = scene.custody(services)
    item = (await admin.preserve_upload(services.evidence, upload(scene.case))).item
    store = services.evidence
    assert isinstance(store, LocalEvidenceStore)
    path = store.root / item.storage_key
    path.chmod(0o644)
    path.write_bytes(b"something else entirely")

    with pytest.raises(EvidenceTampered) as raised:
        await admin.download(store, item.id, "Export for the NCA")
    assert raised.value.code == "EVIDENCE_TAMPERED"
    log = await custody_rows(services, scene.world.tenant.id)
    assert [entry.action for entry in log] == ["preserved", "tamper_detected"]
    assert log[-1].reason == "Export for the NCA"
    audit = await audit_rows(services, scene.world.tenant.id)
    assert audit[-1].action == "evidence.tamper_detected"
    assert audit[-1].details["expected"] == item.sha256
    assert audit[-1].details["actual"] == hashlib.sha256(b"something else entirely").hexdigest()
    assert await chain_intact(services, scene.world.tenant.id)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE evidence_items SET description = 'edited' WHERE id = :id",
        "UPDATE evidence_items SET legal_hold = NOT legal_hold WHERE id = :id",
        "DELETE FROM evidence_items WHERE id = :id",
        "UPDATE evidence_custody SET reason = 'rewritten' WHERE evidence_id = :id",
        "DELETE FROM evidence_custody WHERE evidence_id = :id",
        "TRUNCATE evidence_custody",
        "TRUNCATE evidence_items CASCADE",
    ],
)
async def test_the_database_refuses_to_change_or_remove_evidence_and_its_custody(
    factory: Factory, services: Services, statement: str
) -> None:
    scene = await build_scene(factory, services)
    item = (
        await scene.custody(services).preserve_upload(services.evidence, upload(scene.case))
    ).item
    with pytest.raises(DBAPIError, match="append-only"):
        async with services.db.transaction() as work:
            await work.session.execute(text(statement), {"id": item.id})
    [kept] = await evidence_rows(services, scene.world.tenant.id)
    assert kept.description == item.description and kept.legal_hold == item.legal_hold
    [entry] = await custody_rows(services, scene.world.tenant.id)
    assert entry.reason == "Preserve before the sender deletes it"


async def test_a_webhook_event_is_preserved_as_the_body_the_platform_sent(
    factory: Factory, services: Services, client: httpx.AsyncClient
) -> None:
    scene = await build_scene(factory, services)
    secret = await new_connector(services, scene.world.tenant)
    sent = event("message_flagged", content={"text": "Send me pictures", "emoji": "😈"})
    response = await post_event(client, secret, scene.world.api_key, sent)
    assert response.status_code == 202, response.text

    agent = scene.custody(services, "agent")
    evidence = await agent.preserve_webhook_event(
        services.evidence, scene.case.id, sent["event_id"], "The flagged message itself"
    )
    item = evidence.item
    assert (item.type, item.source, item.source_event_id) == (
        "webhook_payload",
        "webhook_event",
        sent["event_id"],
    )
    assert item.content_type == "application/json"
    _, body = await agent.download(services.evidence, item.id, "Read the original event")
    assert json.loads(body) == sent
    assert (
        body == json.dumps(sent, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )

    with pytest.raises(NotFound):
        await agent.preserve_webhook_event(
            services.evidence, scene.case.id, f"evt_{uuid.uuid4()}", "No such event"
        )


async def test_csea_evidence_exists_only_for_admins_and_safeguarding_leads(
    factory: Factory, services: Services
) -> None:
    scene = await build_scene(factory, services)
    lead = scene.custody(services, "safeguarding_lead")
    item = (await lead.preserve_upload(services.evidence, upload(scene.csea))).item
    tenant = scene.world.tenant.id
    for role in ("admin", "safeguarding_lead"):
        cleared = scene.custody(services, role)
        assert (await cleared.view(item.id, "Review")).item.id == item.id
    before_custody = len(await custody_rows(services, tenant))
    before_audit = len(await audit_rows(services, tenant))

    for role in ("agent", "viewer"):
        other = scene.custody(services, role)
        with pytest.raises(NotFound):
            await other.listing(scene.csea.id, 25, None)
        with pytest.raises(NotFound):
            await other.view(item.id, "Curious")
        with pytest.raises(NotFound):
            await other.download(services.evidence, item.id, "Curious")
    with pytest.raises(NotFound):
        await scene.custody(services, "agent").preserve_upload(
            services.evidence, upload(scene.csea)
        )

    # Nothing was accessed, so custody is unchanged; each refusal is in the audit chain.
    assert len(await custody_rows(services, tenant)) == before_custody
    refused = (await audit_rows(services, tenant))[before_audit:]
    assert [entry.action for entry in refused] == ["evidence.access_refused"] * 7
    assert {entry.actor_id for entry in refused} == {
        scene.people["agent"].id,
        scene.people["viewer"].id,
    }
    assert len(await evidence_rows(services, tenant)) == 1
    assert await chain_intact(services, tenant)


async def test_viewers_read_the_record_but_not_the_content(
    factory: Factory, services: Services
) -> None:
    scene = await build_scene(factory, services)
    item = (
        await scene.custody(services).preserve_upload(services.evidence, upload(scene.case))
    ).item
    viewer = scene.custody(services, "viewer")
    assert (await viewer.listing(scene.case.id, 25, None)).total == 1
    assert (await viewer.view(item.id, "Oversight review")).item.id == item.id
    with pytest.raises(Forbidden):
        await viewer.download(services.evidence, item.id, "Oversight review")
    with pytest.raises(Forbidden):
        await viewer.preserve_upload(services.evidence, upload(scene.case))
    log = await custody_rows(services, scene.world.tenant.id)
    assert [entry.action for entry in log] == ["preserved", "listed", "viewed"]


async def test_reading_needs_a_reason_and_bad_input_stores_nothing(
    factory: Factory, services: Services
) -> None:
    scene = await build_scene(factory, services)
    admin = scene.custody(services)
    item = (await admin.preserve_upload(services.evidence, upload(scene.case))).item
    for reason in (None, "", "   ", "x" * 1001, "nul\x00"):
        with pytest.raises(ValidationFailed):
            await admin.view(item.id, reason)
        with pytest.raises(ValidationFailed):
            await admin.download(services.evidence, item.id, reason)
        with pytest.raises(ValidationFailed):
            await admin.set_legal_hold(services.evidence, item.id, True, reason)
    bad: list[dict[str, Any]] = [
        {"type": "rumour"},
        {"description": "  "},
        {"content_type": "not a type"},
        {"content_type": "text/plain\r\nX-Injected: 1"},
        {"reason": None},
    ]
    for overrides in bad:
        with pytest.raises(ValidationFailed):
            await admin.preserve_upload(services.evidence, upload(scene.case, **overrides))
    with pytest.raises(NotFound):
        await admin.preserve_upload(services.evidence, upload(scene.case, case_id=uuid.uuid4()))
    assert len(await evidence_rows(services, scene.world.tenant.id)) == 1
    assert [e.action for e in await custody_rows(services, scene.world.tenant.id)] == ["preserved"]


async def test_a_legal_hold_is_a_custody_entry_applied_in_the_store(
    factory: Factory, services: Services
) -> None:
    scene = await build_scene(factory, services)
    lead = scene.custody(services, "safeguarding_lead")
    content = f"shared bytes {uuid.uuid4()}".encode()
    first = (await lead.preserve_upload(services.evidence, upload(scene.case, content))).item
    second = (await lead.preserve_upload(services.evidence, upload(scene.case, content))).item
    assert first.storage_key == second.storage_key

    with pytest.raises(Forbidden):
        await scene.custody(services, "agent").set_legal_hold(
            services.evidence, first.id, True, "Litigation"
        )
    assert (await lead.set_legal_hold(services.evidence, first.id, True, "Litigation")).legal_hold
    assert (await lead.set_legal_hold(services.evidence, second.id, True, "Court order")).legal_hold
    assert (await services.evidence.head(first.storage_key)).legal_hold  # type: ignore[union-attr]

    # Releasing one item keeps the object held while the other still holds it.
    released = await lead.set_legal_hold(services.evidence, first.id, False, "Settled")
    assert not released.legal_hold
    assert (await services.evidence.head(first.storage_key)).legal_hold  # type: ignore[union-attr]
    await lead.set_legal_hold(services.evidence, second.id, False, "Order lifted")
    assert not (await services.evidence.head(first.storage_key)).legal_hold  # type: ignore[union-attr]

    assert (await lead.view(first.id, "Check")).legal_hold is False
    actions = [e.action for e in await custody_rows(services, scene.world.tenant.id)]
    assert actions.count(CustodyAction.LEGAL_HOLD_ON) == 2
    assert actions.count(CustodyAction.LEGAL_HOLD_OFF) == 2
    [kept, _] = sorted(
        await evidence_rows(services, scene.world.tenant.id), key=lambda i: i.id != first.id
    )
    assert kept.legal_hold is False  # the record is as preserved; the hold lives in custody
    assert await chain_intact(services, scene.world.tenant.id)


async def test_the_list_pages_in_preservation_order(factory: Factory, services: Services) -> None:
    scene = await build_scene(factory, services)
    admin = scene.custody(services)
    ids = [
        (await admin.preserve_upload(services.evidence, upload(scene.case))).item.id
        for _ in range(3)
    ]
    first = await admin.listing(scene.case.id, 2, None)
    assert [e.item.id for e, _ in first.page.items] == ids[:2] and first.page.has_next_page
    rest = await admin.listing(scene.case.id, 2, first.page.items[-1][1])
    assert [e.item.id for e, _ in rest.page.items] == ids[2:] and not rest.page.has_next_page
    assert first.total == rest.total == 3
    with pytest.raises(ValidationFailed):
        await admin.listing(scene.case.id, 2, "not-a-cursor")

    empty = scene.csea
    assert (await admin.listing(empty.id, 25, None)).total == 0
    log = await custody_rows(services, scene.world.tenant.id)
    listed = [entry for entry in log if entry.action == "listed"]
    assert [entry.evidence_id for entry in listed] == [*ids, None]
    assert listed[-1].case_id == empty.id


async def test_content_gone_from_the_store_is_an_incident_on_record(
    factory: Factory, services: Services
) -> None:
    scene = await build_scene(factory, services)
    admin = scene.custody(services)
    item = (await admin.preserve_upload(services.evidence, upload(scene.case))).item
    store = services.evidence
    assert isinstance(store, LocalEvidenceStore)
    (store.root / item.storage_key).unlink()

    with pytest.raises((EvidenceTampered, EvidenceMissing)):
        await admin.download(store, item.id, "Export for the NCA")
    log = await custody_rows(services, scene.world.tenant.id)
    assert [entry.action for entry in log] == ["preserved", "tamper_detected"]
    assert await chain_intact(services, scene.world.tenant.id)
