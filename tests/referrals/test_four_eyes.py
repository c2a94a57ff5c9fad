"""Four-eyes compares people, not credentials: an API key is the person who created it, so no
one submits through a key what they drafted as themselves (or the reverse, or through two of
their keys), and a key no person created never counts as a second person. REST and GraphQL
refuse alike with SAME_PERSON_REVIEW and leave the referral, its case, the case's timeline and
the audit chain as they were."""

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from app.auth.models import Role
from app.services import Services
from tests.cases.helpers import snapshot
from tests.factories import Factory, gid
from tests.referrals.helpers import SUMMARY, Scene, build_scene

CREATE_KEY = """mutation($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { secret apiKey { id } }
}"""
SUBMIT = """mutation($id: ID!) {
  submitReferral(input: {id: $id}) { referral { status submittedBy } }
}"""
STATUS = "query($id: ID!) { referral(id: $id) { status submittedBy } }"


@dataclass
class Desk:
    """The scene, and one credential for each way of acting: the admin and a second admin
    (people), keys each of them created (directly or through another of their keys), and keys no
    person created."""

    scene: Scene
    secrets: dict[str, str]


async def make_key(factory: Factory, credential: str, name: str) -> str:
    variables = {"input": {"name": name, "role": "ADMIN"}}
    body = await factory.gql(CREATE_KEY, variables, token=credential)
    assert "errors" not in body, body
    return str(body["data"]["createApiKey"]["secret"])


async def desk(factory: Factory, services: Services) -> Desk:
    scene = await build_scene(factory, services, evidence=1)
    admin = scene.world.token
    other = await factory.token(await factory.user(scene.world.tenant, Role.ADMIN))
    admin_key = await make_key(factory, admin, "zapier-prod")
    secrets = {
        "admin": admin,
        "admin_key": admin_key,
        "admin_key2": await make_key(factory, admin, "nightly-export"),
        "other": other,
        "other_key": await make_key(factory, other, "case-bot"),
        # Made with the operator's command line: nobody created it.
        "operator_key": scene.world.api_key,
        # Made by the admin's key: it answers to the admin, the person behind that key.
        "key_made_by_key": await make_key(factory, admin_key, "spawned"),
    }
    return Desk(scene, secrets)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


async def drafted_for_review(client: httpx.AsyncClient, desk: Desk, author: str) -> str:
    """A referral of the scene's CSEA case drafted and sent for review by `author`."""
    headers = bearer(desk.secrets[author])
    created = await client.post(
        f"/api/v1/cases/{gid('cas', desk.scene.csea.id)}/referrals",
        json={"type": "nca", "urgency": "urgent", "summary": SUMMARY},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    referral_id = str(created.json()["id"])
    sent = await client.patch(
        f"/api/v1/referrals/{referral_id}/status",
        json={"status": "pending_review"},
        headers=headers,
    )
    assert sent.status_code == 200, sent.text
    return referral_id


async def submit(
    client: httpx.AsyncClient, transport: str, referral_id: str, secret: str
) -> tuple[str | None, str | None]:
    """(error code, status after) of submitting over `transport`."""
    if transport == "rest":
        response = await client.patch(
            f"/api/v1/referrals/{referral_id}/status",
            json={"status": "submitted"},
            headers=bearer(secret),
        )
        body: dict[str, Any] = response.json()
        if response.status_code == 200:
            return None, body["status"]
        assert response.status_code == 422, response.text
        return body["error"]["code"], None
    response = await client.post(
        "/graphql", json={"query": SUBMIT, "variables": {"id": referral_id}}, headers=bearer(secret)
    )
    body = response.json()
    if body.get("errors"):
        assert body["data"] is None, body
        return body["errors"][0]["extensions"]["code"], None
    return None, str(body["data"]["submitReferral"]["referral"]["status"]).lower()


REFUSED = [
    ("admin", "admin_key"),
    ("admin_key", "admin"),
    ("admin_key", "admin_key2"),
    ("admin_key", "admin_key"),
    ("admin", "operator_key"),
    ("other_key", "operator_key"),
    ("operator_key", "admin"),
    ("operator_key", "operator_key"),
    ("key_made_by_key", "admin"),
    ("admin", "key_made_by_key"),
]
ALLOWED = [
    ("key_made_by_key", "other"),
    ("admin", "other_key"),
    ("admin_key", "other"),
    ("admin_key", "other_key"),
]


@pytest.mark.parametrize("transport", ["rest", "graphql"])
@pytest.mark.parametrize(("author", "submitter"), REFUSED)
async def test_one_person_cannot_author_and_submit_through_any_credential(
    factory: Factory,
    services: Services,
    client: httpx.AsyncClient,
    transport: str,
    author: str,
    submitter: str,
) -> None:
    found = await desk(factory, services)
    referral_id = await drafted_for_review(client, found, author)
    before = await snapshot(services, found.scene.csea)
    code, _ = await submit(client, transport, referral_id, found.secrets[submitter])
    assert code == "SAME_PERSON_REVIEW"
    assert await snapshot(services, found.scene.csea) == before
    seen = await factory.gql(STATUS, {"id": referral_id}, token=found.secrets["other"])
    assert seen["data"]["referral"] == {"status": "PENDING_REVIEW", "submittedBy": None}


@pytest.mark.parametrize("transport", ["rest", "graphql"])
@pytest.mark.parametrize(("author", "submitter"), ALLOWED)
async def test_a_second_person_submits_whether_signed_in_or_through_their_key(
    factory: Factory,
    services: Services,
    client: httpx.AsyncClient,
    transport: str,
    author: str,
    submitter: str,
) -> None:
    found = await desk(factory, services)
    referral_id = await drafted_for_review(client, found, author)
    code, status = await submit(client, transport, referral_id, found.secrets[submitter])
    assert (code, status) == (None, "submitted")


async def test_a_revoked_key_still_counts_as_its_creator(
    factory: Factory, services: Services, client: httpx.AsyncClient
) -> None:
    found = await desk(factory, services)
    referral_id = await drafted_for_review(client, found, "admin_key")
    revoke = """mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { revokedAt } } }"""
    keys = await factory.gql("query { apiKeys { id name } }", token=found.secrets["admin"])
    [key_id] = [k["id"] for k in keys["data"]["apiKeys"] if k["name"] == "zapier-prod"]
    assert "errors" not in await factory.gql(revoke, {"id": key_id}, token=found.secrets["admin"])
    code, _ = await submit(client, "rest", referral_id, found.secrets["admin"])
    assert code == "SAME_PERSON_REVIEW"
    code, status = await submit(client, "rest", referral_id, found.secrets["other"])
    assert (code, status) == (None, "submitted")
