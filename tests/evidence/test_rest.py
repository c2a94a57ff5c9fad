"""/api/v1/evidence as the API document shows it, and content downloads, each access in
custody with the caller's address and client."""

import base64
import hashlib
import uuid

import httpx

from app.services import Services
from app.storage.local import LocalEvidenceStore
from tests.evidence.helpers import (
    PRESERVE,
    build_scene,
    custody_rows,
    evidence_rows,
    preserve_by_gql,
    preserve_input,
)
from tests.factories import Factory, gid

DOCUMENT_KEYS = [
    "id",
    "case_id",
    "type",
    "description",
    "content_type",
    "size_bytes",
    "hash_sha256",
    "s3_key",
    "object_lock_mode",
    "object_lock_retain_until",
    "preserved_at",
    "preserved_by",
    "created_at",
]
AGENT = {"User-Agent": "Moderation-Console/3.1"}


def bearer(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


async def test_the_documents_example_request_gives_the_documented_shape(
    factory: Factory, services: Services, client: httpx.AsyncClient
) -> None:
    scene = await build_scene(factory, services)
    case_id = gid("cas", scene.case.id)
    content = f"hash match {uuid.uuid4()}".encode()
    body = await factory.gql(
        PRESERVE, {"input": preserve_input(case_id, content)}, token=scene.world.token
    )
    evidence_id = body["data"]["preserveEvidence"]["evidence"]["id"]

    response = await client.get(
        f"/api/v1/evidence?case_id={case_id}", headers=bearer(scene.world.token)
    )
    assert response.status_code == 200, response.text
    page = response.json()
    assert list(page) == ["data", "pagination"]
    assert page["pagination"] == {"cursor": None, "has_more": False, "total": 1}
    [item] = page["data"]
    assert list(item) == DOCUMENT_KEYS
    digest = hashlib.sha256(content).hexdigest()
    assert item["id"] == evidence_id and item["case_id"] == case_id
    assert item["type"] == "screenshot" and item["content_type"] == "image/png"
    assert item["size_bytes"] == len(content) and item["hash_sha256"] == digest
    assert item["s3_key"] == f"sha256/{digest[:2]}/{digest}"
    assert item["object_lock_mode"] == "WRITE_ONCE"
    assert item["preserved_by"] == scene.world.admin.name
    for key in ("object_lock_retain_until", "preserved_at", "created_at"):
        assert item[key].endswith("Z") and len(item[key]) == 24, item[key]


async def test_every_listed_item_is_in_custody_with_address_and_client(
    factory: Factory, services: Services, client: httpx.AsyncClient
) -> None:
    scene = await build_scene(factory, services)
    case_id = gid("cas", scene.case.id)
    ids = [await preserve_by_gql(factory, case_id, scene.world.token) for _ in range(3)]
    agent = await factory.token(scene.people["agent"])
    first = await client.get(
        "/api/v1/evidence",
        params={"case_id": case_id, "limit": "2", "reason": "Weekly review"},
        headers=bearer(agent, **AGENT),
    )
    assert first.status_code == 200, first.text
    assert [item["id"] for item in first.json()["data"]] == ids[:2]
    cursor = first.json()["pagination"]["cursor"]
    assert first.json()["pagination"]["has_more"] is True and cursor
    second = await client.get(
        "/api/v1/evidence",
        params={"case_id": str(scene.case.id), "cursor": cursor},
        headers={"X-API-Key": scene.world.api_key, **AGENT},
    )
    assert [item["id"] for item in second.json()["data"]] == ids[2:]

    listed = [
        e for e in await custody_rows(services, scene.world.tenant.id) if e.action == "listed"
    ]
    assert [gid("evi", entry.evidence_id) for entry in listed] == ids  # type: ignore[arg-type]
    assert [entry.actor_id for entry in listed[:2]] == [scene.people["agent"].id] * 2
    assert [entry.reason for entry in listed] == ["Weekly review", "Weekly review", None]
    assert listed[2].actor_kind == "api_key"
    assert {(entry.ip, entry.user_agent) for entry in listed} == {
        ("127.0.0.1", "Moderation-Console/3.1")
    }


async def test_content_is_the_preserved_bytes_with_their_digest(
    factory: Factory, services: Services, client: httpx.AsyncClient
) -> None:
    scene = await build_scene(factory, services)
    content = bytes(range(256)) * 40
    body = await factory.gql(
        PRESERVE,
        {"input": preserve_input(gid("cas", scene.case.id), content)},
        token=scene.world.token,
    )
    evidence_id = body["data"]["preserveEvidence"]["evidence"]["id"]
    agent = await factory.token(scene.people["agent"])

    refused = await client.get(f"/api/v1/evidence/{evidence_id}/content", headers=bearer(agent))
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "VALIDATION_ERROR"

    response = await client.get(
        f"/api/v1/evidence/{evidence_id}/content",
        params={"reason": "Attach to the NCA report"},
        headers=bearer(agent, **AGENT),
    )
    assert response.status_code == 200, response.text
    assert response.content == content
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-length"] == str(len(content))
    digest = base64.b64encode(hashlib.sha256(content).digest()).decode()
    assert response.headers["repr-digest"] == f"sha-256=:{digest}:"
    assert response.headers["digest"] == f"SHA-256={digest}"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-disposition"].startswith("attachment")

    log = await custody_rows(services, scene.world.tenant.id)
    assert [entry.action for entry in log] == ["preserved", "downloaded"]
    assert log[-1].reason == "Attach to the NCA report"
    assert (log[-1].ip, log[-1].user_agent) == ("127.0.0.1", "Moderation-Console/3.1")
    assert log[-1].actor_id == scene.people["agent"].id


async def test_custody_from_graphql_and_rest_and_the_audit_chain_verifies(
    factory: Factory, services: Services, client: httpx.AsyncClient
) -> None:
    scene = await build_scene(factory, services)
    evidence_id = await preserve_by_gql(factory, gid("cas", scene.case.id), scene.world.token)
    lead = await factory.token(scene.people["safeguarding_lead"])
    await factory.gql(
        'query($id: ID!) { evidenceItem(id: $id, reason: "Look") { id } }',
        {"id": evidence_id},
        token=lead,
    )
    await client.get(
        f"/api/v1/evidence/{evidence_id}/content?reason=Export", headers=bearer(lead, **AGENT)
    )
    custody = await factory.gql(
        'query($id: ID!) { evidenceItem(id: $id, reason: "Audit") { custody { action reason '
        "userAgent actorName } } }",
        {"id": evidence_id},
        token=scene.world.token,
    )
    entries = custody["data"]["evidenceItem"]["custody"]
    assert [(e["action"], e["reason"]) for e in entries] == [
        ("PRESERVED", "Preserve before the account is deleted"),
        ("VIEWED", "Look"),
        ("DOWNLOADED", "Export"),
        ("VIEWED", "Audit"),
    ]
    assert entries[2]["userAgent"] == "Moderation-Console/3.1"
    assert entries[1]["actorName"] == scene.people["safeguarding_lead"].name
    verified = await factory.gql(
        "query { verifyAuditChain { ok checkedRows } }", token=scene.world.token
    )
    report = verified["data"]["verifyAuditChain"]
    assert report["ok"] is True and report["checkedRows"] >= 4


async def test_a_tampered_item_is_409_evidence_tampered_and_on_record(
    factory: Factory, services: Services, client: httpx.AsyncClient
) -> None:
    scene = await build_scene(factory, services)
    evidence_id = await preserve_by_gql(factory, gid("cas", scene.case.id), scene.world.token)
    [item] = await evidence_rows(services, scene.world.tenant.id)
    store = services.evidence
    assert isinstance(store, LocalEvidenceStore)
    path = store.root / item.storage_key
    path.chmod(0o644)
    path.write_bytes(path.read_bytes() + b"!")
    response = await client.get(
        f"/api/v1/evidence/{evidence_id}/content?reason=Export",
        headers=bearer(scene.world.token),
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "EVIDENCE_TAMPERED"
    log = await custody_rows(services, scene.world.tenant.id)
    assert [entry.action for entry in log] == ["preserved", "tamper_detected"]


async def test_refusals_by_role_and_input(
    factory: Factory, services: Services, client: httpx.AsyncClient
) -> None:
    scene = await build_scene(factory, services)
    plain = await preserve_by_gql(factory, gid("cas", scene.case.id), scene.world.token)
    hidden = await preserve_by_gql(factory, gid("cas", scene.csea.id), scene.world.token)
    before = len(await custody_rows(services, scene.world.tenant.id))
    viewer = bearer(await factory.token(scene.people["viewer"]))
    agent = bearer(await factory.token(scene.people["agent"]))
    admin = bearer(scene.world.token)
    cases = [
        ("/api/v1/evidence", {}, admin, 400, "VALIDATION_ERROR"),
        ("/api/v1/evidence", {"case_id": gid("cas", scene.case.id), "limit": "0"}, admin, 400,
         "VALIDATION_ERROR"),
        ("/api/v1/evidence", {"case_id": gid("cas", scene.case.id), "cursor": "x"}, admin, 400,
         "VALIDATION_ERROR"),
        ("/api/v1/evidence", {"case_id": f"cas_{uuid.uuid4()}"}, admin, 404, "NOT_FOUND"),
        ("/api/v1/evidence", {"case_id": "nonsense"}, admin, 404, "NOT_FOUND"),
        ("/api/v1/evidence", {"case_id": gid("cas", scene.case.id)}, {}, 401, "UNAUTHORIZED"),
        ("/api/v1/evidence", {"case_id": gid("cas", scene.csea.id)}, agent, 404, "NOT_FOUND"),
        (f"/api/v1/evidence/{hidden}/content", {"reason": "x"}, agent, 404, "NOT_FOUND"),
        (f"/api/v1/evidence/{hidden}/content", {"reason": "x"}, viewer, 404, "NOT_FOUND"),
        (f"/api/v1/evidence/{plain}/content", {"reason": "x"}, viewer, 403, "FORBIDDEN"),
        (f"/api/v1/evidence/{plain}/content", {"reason": " "}, admin, 400, "VALIDATION_ERROR"),
        (f"/api/v1/evidence/{plain}/content", {"reason": "x"}, {}, 401, "UNAUTHORIZED"),
        (f"/api/v1/evidence/evi_{uuid.uuid4()}/content", {"reason": "x"}, admin, 404,
         "NOT_FOUND"),
        ("/api/v1/evidence/evi_nope/content", {"reason": "x"}, admin, 404, "NOT_FOUND"),
    ]  # fmt: skip
    for path, params, headers, status, code in cases:
        response = await client.get(path, params=params, headers=headers)
        assert response.status_code == status, (path, params, response.text)
        assert response.json()["error"]["code"] == code, (path, params)
        assert hidden not in response.text
    # Nothing was read, so custody is unchanged.
    assert len(await custody_rows(services, scene.world.tenant.id)) == before
    # The viewer may still list the plain case's evidence.
    listed = await client.get(
        "/api/v1/evidence", params={"case_id": gid("cas", scene.case.id)}, headers=viewer
    )
    assert [item["id"] for item in listed.json()["data"]] == [plain]
