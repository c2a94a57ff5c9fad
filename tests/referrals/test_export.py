"""The export document of a referral made from a platform's CSAM hash match: what it reports
about the content, the accounts and how the material was detected, and that every export is
on the audit record."""

import uuid
from typing import Any

import httpx

from app.auth.models import User
from app.cases.models import CaseType
from app.cases.service import link_ticket
from app.evidence.service import Custody
from app.referrals.models import ReferralStatus
from app.referrals.nca import SCHEMA_VERSION
from app.referrals.states import Step
from app.services import Services
from tests.cases.helpers import audit_entries, open_case, principal_of
from tests.evidence.helpers import ORIGIN, upload
from tests.factories import Factory, World, gid
from tests.referrals.helpers import build_scene, create, step
from tests.webhooks.helpers import event, new_connector, post_event

HASH = "f" * 40


async def hash_match_case(
    factory: Factory, services: Services, client: httpx.AsyncClient, world: World, lead: User
) -> tuple[Any, dict[str, Any]]:
    """A CSEA case opened on the ticket a csam_hash_match event made, with the event itself
    preserved as evidence, as a lead would do on receiving it."""
    secret = await new_connector(services, world.tenant)
    sent = event(
        "csam_hash_match",
        hash_value=HASH,
        hash_algorithm="photodna",
        reporter_id="usr_platform_scanner",
        reported_user_id="usr_e5f6g7h8",
        content={
            "type": "image",
            "uploaded_at": "2026-04-02T14:29:58Z",
            "upload_ip": "198.51.100.23",
        },
    )
    response = await post_event(client, secret, world.api_key, sent)
    assert response.status_code == 202, response.text
    ticket_id = response.json()["id"]
    case = await open_case(services, lead, CaseType.CSEA)
    async with services.db.transaction() as work:
        ticket = uuid.UUID(ticket_id.removeprefix("tkt_"))
        await link_ticket(work.session, principal_of(lead), case.id, ticket)
    custody = Custody(services.db, principal_of(lead), ORIGIN)
    evidence = await custody.preserve_webhook_event(
        services.evidence, case.id, sent["event_id"], "The matched upload as reported"
    )
    return case, {"event": sent, "ticket_id": ticket_id, "item": evidence.item}


def keys_sorted(value: Any) -> bool:
    if isinstance(value, dict):
        return list(value) == sorted(value) and all(keys_sorted(v) for v in value.values())
    if isinstance(value, list):
        return all(keys_sorted(v) for v in value)
    return True


async def test_the_export_reports_hashes_accounts_uploads_and_the_hash_match(
    factory: Factory, services: Services, client: httpx.AsyncClient
) -> None:
    scene = await build_scene(factory, services, evidence=0)
    lead, other = scene.people["safeguarding_lead"], scene.people["lead2"]
    case, made = await hash_match_case(factory, services, client, scene.world, lead)
    contact = {"name": "Safeguarding desk", "email": "safeguarding@example.com"}
    referral, count = await create(services, lead, case, contact_details=contact)
    assert count == 1
    await step(services, lead, referral, Step.SUBMIT_FOR_REVIEW)
    await step(services, other, referral, Step.SUBMIT)

    response = await client.get(
        f"/api/v1/referrals/{gid('ref', referral.id)}/export",
        headers={"Authorization": f"Bearer {await factory.token(lead)}"},
    )
    assert response.status_code == 200, response.text
    document = response.json()
    assert keys_sorted(document)
    assert document["schema_version"] == SCHEMA_VERSION
    assert document["status"] == ReferralStatus.SUBMITTED
    item = made["item"]
    assert document["hashes"] == {
        "evidence_sha256": [item.sha256],
        "platform": [
            {
                "event_id": made["event"]["event_id"],
                "hash_algorithm": "photodna",
                "hash_value": HASH,
            }
        ],
    }
    assert document["evidence_manifest"] == [
        {"id": gid("evi", item.id), "sha256": item.sha256, "size_bytes": item.size}
    ]
    [content] = document["content"]
    assert (content["type"], content["content_type"]) == ("webhook_payload", "application/json")
    assert content["retention_mode"] == item.retention_mode
    assert document["accounts"] == {
        "reported": ["usr_e5f6g7h8"],
        "reporters": ["usr_platform_scanner"],
    }
    assert document["uploads"] == [
        {
            "event_id": made["event"]["event_id"],
            "upload_ip": "198.51.100.23",
            "uploaded_at": "2026-04-02T14:29:58Z",
        }
    ]
    [detected] = document["incident"]["detection"]
    assert (detected["method"], detected["hash_algorithm"]) == ("hash_match", "photodna")
    assert document["incident"]["case"]["id"] == gid("cas", case.id)
    reporter = document["reporter"]
    assert reporter["organisation"]["name"] == scene.world.tenant.name
    assert reporter["person"] == {
        "email": other.email,
        "id": gid("usr", other.id),
        "name": other.name,
    }
    assert reporter["contact"] == {"email": contact["email"], "name": contact["name"]}

    actions = [entry.action for entry in await audit_entries(services, scene.world.tenant.id)]
    assert actions[-1] == "referral.exported"


async def test_the_submitted_report_is_frozen_while_a_draft_follows_the_case(
    factory: Factory, services: Services, client: httpx.AsyncClient
) -> None:
    scene = await build_scene(factory, services, evidence=1)
    lead = scene.people["safeguarding_lead"]
    headers = {"Authorization": f"Bearer {await factory.token(lead)}"}
    referral, _ = await create(services, lead, scene.csea)
    path = f"/api/v1/referrals/{gid('ref', referral.id)}/export"
    draft = (await client.get(path, headers=headers)).json()
    assert draft["status"] == "draft" and draft["reporter"]["person"]["id"] == gid("usr", lead.id)
    await step(services, lead, referral, Step.SUBMIT_FOR_REVIEW)
    await step(services, scene.people["lead2"], referral, Step.SUBMIT)
    first = (await client.get(path, headers=headers)).json()
    custody = Custody(services.db, principal_of(lead), ORIGIN)
    await custody.preserve_upload(services.evidence, upload(scene.csea))
    second = (await client.get(path, headers=headers)).json()
    assert len(second["content"]) == len(first["content"]) == 1
    assert {k: v for k, v in first.items() if k != "generated_at"} == {
        k: v for k, v in second.items() if k != "generated_at"
    }
    agent = {"Authorization": f"Bearer {await factory.token(scene.people['agent'])}"}
    assert (await client.get(path, headers=agent)).status_code == 404
