"""Sign-in, access tokens, refresh rotation, API keys and roles, as a client sees them."""

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey
from sqlalchemy import update

from app.auth.models import AuthSession, Role, User
from app.graphql.schema import schema
from app.services import Services
from app.tenants.models import Tenant
from tests.evidence.helpers import preserve_input
from tests.factories import PASSWORD, Factory, World, error_codes, gid
from tests.outbound_webhooks.helpers import endpoint_with_delivery

LOGIN = """
mutation($input: LoginInput!) {
  login(input: $input) { accessToken refreshToken tokenType expiresIn user { email } }
}"""
REFRESH = """
mutation($input: RefreshTokenInput!) {
  refreshToken(input: $input) { accessToken refreshToken tokenType expiresIn }
}"""
VIEWER = "query { viewer { role user { email } tenant { slug } apiKey { name } } }"
CREATE_API_KEY = """
mutation($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { secret apiKey { id name role prefix lastUsedAt revokedAt } }
}"""
REVOKE_API_KEY = """
mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { apiKey { id revokedAt } } }
"""
API_KEYS = "query { apiKeys { id name role prefix lastUsedAt revokedAt } }"
TICKET = "query($id: ID!) { ticket(id: $id) { id title } }"


# --- helpers -------------------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def segment(token: str, index: int) -> dict[str, Any]:
    """Decode the JWT header (0) or payload (1) without verifying anything."""
    part = token.split(".")[index]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


def hs256(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    """A hand-made HS256 JWT (joserfc refuses to use a public key PEM as an HMAC secret)."""
    signing_input = f"{b64url_json(header)}.{b64url_json(claims)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def resigned(claims: dict[str, Any], key: RSAKey, **changes: Any) -> str:
    """`claims` with `changes` applied, signed RS256 with `key` under the key's own kid."""
    header = {"alg": "RS256", "kid": key.kid, "typ": "JWT"}
    return jwt.encode(header, {**claims, **changes}, key, algorithms=["RS256"])


async def login(factory: Factory, email: str, tenant: str | None = None) -> dict[str, Any]:
    variables = {"input": {"email": email, "password": PASSWORD, "tenant": tenant}}
    body = await factory.gql(LOGIN, variables)
    assert body.get("errors") is None, body
    return dict(body["data"]["login"])


async def refresh(factory: Factory, refresh_token: str) -> dict[str, Any]:
    return await factory.gql(REFRESH, {"input": {"refreshToken": refresh_token}})


async def viewer(
    factory: Factory, *, token: str | None = None, api_key: str | None = None
) -> dict[str, Any]:
    return await factory.gql(VIEWER, token=token, api_key=api_key)


async def post(client: httpx.AsyncClient, query: str, headers: dict[str, str]) -> httpx.Response:
    return await client.post("/graphql", json={"query": query}, headers=headers)


def refused(body: dict[str, Any]) -> bool:
    return error_codes(body) == ["UNAUTHENTICATED"] and body.get("data") is None


async def set_user(services: Services, user: User, **values: Any) -> None:
    async with services.db.transaction() as work:
        await work.session.execute(update(User).where(User.id == user.id).values(**values))


async def revoke_session(services: Services, session_id: str) -> None:
    async with services.db.transaction() as work:
        await work.session.execute(
            update(AuthSession)
            .where(AuthSession.id == uuid.UUID(session_id))
            .values(revoked_at=AuthSession.created_at, revoked_reason="signed out")
        )


async def signed_in(factory: Factory, role: Role = Role.AGENT) -> tuple[Tenant, User, dict]:
    tenant = await factory.tenant()
    user = await factory.user(tenant, role)
    return tenant, user, await login(factory, user.email)


async def key_id(factory: Factory, world: World, name: str) -> str:
    keys = (await factory.gql(API_KEYS, token=world.token))["data"]["apiKeys"]
    return next(key["id"] for key in keys if key["name"] == name)


# --- login ---------------------------------------------------------------------------------------


class TestLogin:
    async def test_correct_password_returns_an_rs256_token_whose_kid_is_published(
        self, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        tenant = await factory.tenant()
        user = await factory.user(tenant, Role.AGENT)
        tokens = await login(factory, user.email)

        assert tokens["tokenType"] == "Bearer"
        assert tokens["expiresIn"] == 3600
        assert tokens["user"] == {"email": user.email}
        assert tokens["refreshToken"] and tokens["refreshToken"] != tokens["accessToken"]
        header = segment(tokens["accessToken"], 0)
        assert header["alg"] == "RS256"
        jwks = await client.get("/.well-known/jwks.json")
        assert jwks.status_code == 200
        assert header["kid"] in [key["kid"] for key in jwks.json()["keys"]]
        # Anyone holding only the published keys can verify the token.
        verified = jwt.decode(
            tokens["accessToken"], KeySet.import_key_set(jwks.json()), algorithms=["RS256"]
        )
        assert verified.claims["exp"] - verified.claims["iat"] == 3600
        assert verified.claims["sub"] == str(user.id)

    async def test_access_token_identifies_the_user_tenant_and_role(self, factory: Factory) -> None:
        tenant, user, tokens = await signed_in(factory, Role.SAFEGUARDING_LEAD)
        body = await viewer(factory, token=tokens["accessToken"])
        assert body["data"]["viewer"] == {
            "role": "SAFEGUARDING_LEAD",
            "user": {"email": user.email},
            "tenant": {"slug": tenant.slug},
            "apiKey": None,
        }

    async def test_email_is_matched_case_insensitively(self, factory: Factory) -> None:
        tenant = await factory.tenant()
        user = await factory.user(tenant, email=f"{uuid.uuid4().hex[:8]}@example.com")
        tokens = await login(factory, "  " + user.email.upper())
        assert tokens["user"] == {"email": user.email}

    async def test_wrong_password_and_unknown_email_are_refused_alike(
        self, factory: Factory
    ) -> None:
        tenant = await factory.tenant()
        user = await factory.user(tenant)
        wrong_password = await factory.gql(
            LOGIN, {"input": {"email": user.email, "password": PASSWORD + "!"}}
        )
        unknown_email = await factory.gql(
            LOGIN,
            {"input": {"email": f"nobody-{uuid.uuid4().hex}@example.com", "password": PASSWORD}},
        )
        assert refused(wrong_password) and refused(unknown_email)
        assert wrong_password["errors"][0]["message"] == unknown_email["errors"][0]["message"]

    async def test_deactivated_user_cannot_sign_in(
        self, factory: Factory, services: Services
    ) -> None:
        tenant = await factory.tenant()
        user = await factory.user(tenant)
        await set_user(services, user, is_active=False)
        body = await factory.gql(LOGIN, {"input": {"email": user.email, "password": PASSWORD}})
        assert refused(body)

    async def test_email_in_two_tenants_needs_the_tenant_slug(self, factory: Factory) -> None:
        email = f"shared-{uuid.uuid4().hex[:8]}@example.com"
        first, second = await factory.tenant(), await factory.tenant()
        await factory.user(first, Role.AGENT, email=email)
        await factory.user(second, Role.VIEWER, email=email)

        ambiguous = await factory.gql(LOGIN, {"input": {"email": email, "password": PASSWORD}})
        assert error_codes(ambiguous) == ["VALIDATION_ERROR"]
        assert ambiguous.get("data") is None

        tokens = await login(factory, email, tenant=second.slug)
        body = await viewer(factory, token=tokens["accessToken"])
        assert body["data"]["viewer"]["tenant"] == {"slug": second.slug}
        assert body["data"]["viewer"]["role"] == "VIEWER"

    async def test_a_wrong_password_does_not_reveal_an_email_is_in_several_tenants(
        self, factory: Factory
    ) -> None:
        email = f"shared-{uuid.uuid4().hex[:8]}@example.com"
        for tenant in (await factory.tenant(), await factory.tenant()):
            await factory.user(tenant, Role.AGENT, email=email)
        wrong = await factory.gql(LOGIN, {"input": {"email": email, "password": "not it at all"}})
        unknown = await factory.gql(
            LOGIN, {"input": {"email": "nobody@example.com", "password": "not it at all"}}
        )
        assert error_codes(wrong) == error_codes(unknown) == ["UNAUTHENTICATED"]
        assert wrong["errors"][0]["message"] == unknown["errors"][0]["message"]

    async def test_one_password_matching_among_shared_emails_signs_in_there(
        self, factory: Factory
    ) -> None:
        email = f"shared-{uuid.uuid4().hex[:8]}@example.com"
        first, second = await factory.tenant(), await factory.tenant()
        await factory.user(first, Role.AGENT, email=email, password_hash=None)
        await factory.user(second, Role.AGENT, email=email)
        tokens = await login(factory, email)
        body = await viewer(factory, token=tokens["accessToken"])
        assert body["data"]["viewer"]["tenant"] == {"slug": second.slug}

    async def test_tenant_slug_of_another_organisation_is_refused(self, factory: Factory) -> None:
        tenant, other = await factory.tenant(), await factory.tenant()
        user = await factory.user(tenant)
        body = await factory.gql(
            LOGIN, {"input": {"email": user.email, "password": PASSWORD, "tenant": other.slug}}
        )
        assert refused(body)


# --- access tokens -------------------------------------------------------------------------------


class TestAccessTokenRefusals:
    """Every token below is refused on `viewer`; the first test shows the crafting is sound."""

    async def test_a_resigned_copy_of_a_valid_token_is_accepted(
        self, factory: Factory, services: Services
    ) -> None:
        _, user, tokens = await signed_in(factory)
        claims = segment(tokens["accessToken"], 1)
        copy = resigned(claims, services.signer.signing_key, jti=uuid.uuid4().hex)
        assert copy != tokens["accessToken"]
        body = await viewer(factory, token=copy)
        assert body["data"]["viewer"]["user"] == {"email": user.email}

    @pytest.mark.parametrize(
        "changes",
        [
            pytest.param({"exp": int(time.time()) - 60}, id="expired"),
            pytest.param({"aud": "some-other-api"}, id="wrong-audience"),
            pytest.param({"iss": "https://evil.example"}, id="wrong-issuer"),
        ],
    )
    async def test_token_with_a_tampered_claim_is_refused(
        self, factory: Factory, services: Services, changes: dict[str, Any]
    ) -> None:
        _, _, tokens = await signed_in(factory)
        claims = segment(tokens["accessToken"], 1)
        if "exp" in changes:
            claims |= {"iat": changes["exp"] - 3600, "nbf": changes["exp"] - 3600}
        token = resigned(claims, services.signer.signing_key, **changes)
        assert refused(await viewer(factory, token=token))

    async def test_token_signed_by_an_unknown_key_is_refused(self, factory: Factory) -> None:
        _, _, tokens = await signed_in(factory)
        stranger = RSAKey.generate_key(2048, parameters={"kid": "not-ours"})
        token = resigned(segment(tokens["accessToken"], 1), stranger)
        assert refused(await viewer(factory, token=token))

    async def test_token_signed_by_another_key_under_our_kid_is_refused(
        self, factory: Factory, services: Services
    ) -> None:
        _, _, tokens = await signed_in(factory)
        impostor = RSAKey.generate_key(
            2048, parameters={"kid": str(services.signer.signing_key.kid)}
        )
        token = resigned(segment(tokens["accessToken"], 1), impostor)
        assert refused(await viewer(factory, token=token))

    async def test_unsigned_alg_none_token_is_refused(self, factory: Factory) -> None:
        _, _, tokens = await signed_in(factory)
        header = b64url_json({"alg": "none", "typ": "JWT"})
        payload = b64url_json(segment(tokens["accessToken"], 1))
        assert refused(await viewer(factory, token=f"{header}.{payload}."))

    async def test_hs256_token_keyed_with_our_public_key_pem_is_refused(
        self, factory: Factory, services: Services
    ) -> None:
        _, _, tokens = await signed_in(factory)
        claims = segment(tokens["accessToken"], 1)
        # The hand-made HS256 signer is itself correct: joserfc accepts what it produces.
        sample = hs256({"alg": "HS256"}, claims, b"k" * 32)
        assert jwt.decode(sample, OctKey.import_key(b"k" * 32), algorithms=["HS256"]).claims
        public_pem = services.signer.signing_key.as_pem(private=False)
        header = {"alg": "HS256", "typ": "JWT", "kid": services.signer.signing_key.kid}
        assert refused(await viewer(factory, token=hs256(header, claims, public_pem)))

    @pytest.mark.parametrize("garbage", ["garbage", "a.b.c", "e30.e30.", "hvx_" + "x" * 40])
    async def test_garbage_token_is_refused(self, factory: Factory, garbage: str) -> None:
        assert refused(await viewer(factory, token=garbage))

    async def test_token_of_a_revoked_session_is_refused(
        self, factory: Factory, services: Services
    ) -> None:
        _, _, tokens = await signed_in(factory)
        assert "errors" not in await viewer(factory, token=tokens["accessToken"])
        await revoke_session(services, segment(tokens["accessToken"], 1)["sid"])
        assert refused(await viewer(factory, token=tokens["accessToken"]))

    async def test_token_carrying_a_role_the_user_no_longer_has_is_refused(
        self, factory: Factory, services: Services
    ) -> None:
        _, user, tokens = await signed_in(factory, Role.ADMIN)
        assert "errors" not in await viewer(factory, token=tokens["accessToken"])
        await set_user(services, user, role=Role.VIEWER)
        assert refused(await viewer(factory, token=tokens["accessToken"]))
        # Signing in again picks up the new role.
        fresh = await login(factory, user.email)
        body = await viewer(factory, token=fresh["accessToken"])
        assert body["data"]["viewer"]["role"] == "VIEWER"

    async def test_token_of_a_deactivated_user_is_refused(
        self, factory: Factory, services: Services
    ) -> None:
        _, user, tokens = await signed_in(factory)
        assert "errors" not in await viewer(factory, token=tokens["accessToken"])
        await set_user(services, user, is_active=False)
        assert refused(await viewer(factory, token=tokens["accessToken"]))

    async def test_refusal_is_a_graphql_error_not_an_http_failure(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await post(client, VIEWER, {"Authorization": "Bearer garbage"})
        assert response.status_code == 200
        assert refused(response.json())
        assert response.json()["errors"][0]["message"] == "Invalid or expired access token"


# --- refresh tokens ------------------------------------------------------------------------------


class TestRefreshToken:
    async def test_refresh_returns_a_new_working_pair(self, factory: Factory) -> None:
        _, user, first = await signed_in(factory)
        body = await refresh(factory, first["refreshToken"])
        second = body["data"]["refreshToken"]
        assert second["refreshToken"] != first["refreshToken"]
        assert second["accessToken"] != first["accessToken"]
        assert (second["tokenType"], second["expiresIn"]) == ("Bearer", 3600)
        me = await viewer(factory, token=second["accessToken"])
        assert me["data"]["viewer"]["user"] == {"email": user.email}
        # The rotated token keeps rotating.
        third = await refresh(factory, second["refreshToken"])
        assert third["data"]["refreshToken"]["refreshToken"] not in {
            first["refreshToken"],
            second["refreshToken"],
        }

    async def test_a_refresh_token_works_only_once(self, factory: Factory) -> None:
        _, _, first = await signed_in(factory)
        assert "errors" not in await refresh(factory, first["refreshToken"])
        again = await refresh(factory, first["refreshToken"])
        assert refused(again)

    async def test_reusing_a_refresh_token_revokes_the_whole_session(
        self, factory: Factory
    ) -> None:
        _, _, first = await signed_in(factory)
        second = (await refresh(factory, first["refreshToken"]))["data"]["refreshToken"]
        assert "errors" not in await viewer(factory, token=second["accessToken"])

        assert refused(await refresh(factory, first["refreshToken"]))

        assert refused(await refresh(factory, second["refreshToken"]))
        assert refused(await viewer(factory, token=second["accessToken"]))
        assert refused(await viewer(factory, token=first["accessToken"]))

    async def test_reuse_leaves_the_users_other_sessions_signed_in(self, factory: Factory) -> None:
        _, user, stolen = await signed_in(factory)
        other = await login(factory, user.email)
        await refresh(factory, stolen["refreshToken"])
        assert refused(await refresh(factory, stolen["refreshToken"]))

        assert "errors" not in await viewer(factory, token=other["accessToken"])
        assert "errors" not in await refresh(factory, other["refreshToken"])

    async def test_unknown_refresh_token_is_refused(self, factory: Factory) -> None:
        assert refused(await refresh(factory, "hvr_" + uuid.uuid4().hex))

    async def test_refresh_token_of_a_deactivated_user_is_refused(
        self, factory: Factory, services: Services
    ) -> None:
        _, user, tokens = await signed_in(factory)
        await set_user(services, user, is_active=False)
        assert refused(await refresh(factory, tokens["refreshToken"]))


# --- API keys ------------------------------------------------------------------------------------


class TestApiKeys:
    async def test_admin_creates_a_key_whose_secret_is_shown_only_once(
        self, factory: Factory
    ) -> None:
        world = await factory.world()
        body = await factory.gql(
            CREATE_API_KEY, {"input": {"name": "Zapier", "role": "AGENT"}}, token=world.token
        )
        created = body["data"]["createApiKey"]
        secret = created["secret"]
        assert secret.startswith("hv_") and len(secret) > 30
        assert created["apiKey"]["name"] == "Zapier" and created["apiKey"]["role"] == "AGENT"
        assert secret.startswith(created["apiKey"]["prefix"])
        assert len(created["apiKey"]["prefix"]) < len(secret)

        listing = await factory.gql(API_KEYS, token=world.token)
        listed = next(key for key in listing["data"]["apiKeys"] if key["name"] == "Zapier")
        assert listed["id"] == created["apiKey"]["id"]
        assert listed["prefix"] == created["apiKey"]["prefix"]
        assert secret not in json.dumps(listing)
        node = await factory.gql(
            "query($id: ID!) { node(id: $id) { ... on ApiKey { prefix } } }",
            {"id": listed["id"]},
            token=world.token,
        )
        assert node["data"]["node"] == {"prefix": listed["prefix"]} and secret not in str(node)

    async def test_agent_cannot_create_a_key(self, factory: Factory) -> None:
        world = await factory.world()
        agent = await factory.token(await factory.user(world.tenant, Role.AGENT))
        body = await factory.gql(CREATE_API_KEY, {"input": {"name": "mine"}}, token=agent)
        assert error_codes(body) == ["FORBIDDEN"]

    async def test_key_authenticates_as_x_api_key_and_as_bearer(
        self, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        secret = await factory.api_key(world.tenant, Role.AGENT)
        for headers in ({"X-API-Key": secret}, {"Authorization": f"Bearer {secret}"}):
            response = await post(client, VIEWER, headers)
            assert response.status_code == 200
            assert response.json()["data"]["viewer"] == {
                "role": "AGENT",
                "user": None,
                "tenant": {"slug": world.tenant.slug},
                "apiKey": {"name": "agent key"},
            }

    async def test_last_used_at_is_recorded_when_the_key_is_used(self, factory: Factory) -> None:
        world = await factory.world()
        created = await factory.gql(CREATE_API_KEY, {"input": {"name": "cron"}}, token=world.token)
        secret = created["data"]["createApiKey"]["secret"]
        before = await factory.gql(API_KEYS, token=world.token)
        assert (
            next(k for k in before["data"]["apiKeys"] if k["name"] == "cron")["lastUsedAt"] is None
        )

        assert "errors" not in await viewer(factory, api_key=secret)

        after = await factory.gql(API_KEYS, token=world.token)
        assert next(k for k in after["data"]["apiKeys"] if k["name"] == "cron")["lastUsedAt"]

    async def test_revoked_key_is_refused_at_once(self, factory: Factory) -> None:
        world = await factory.world()
        created = (await factory.gql(CREATE_API_KEY, {"input": {"name": "ci"}}, token=world.token))[
            "data"
        ]["createApiKey"]
        secret = created["secret"]
        assert "errors" not in await viewer(factory, api_key=secret)

        revoked = await factory.gql(
            REVOKE_API_KEY, {"input": {"id": created["apiKey"]["id"]}}, token=world.token
        )
        assert revoked["data"]["revokeApiKey"]["apiKey"]["revokedAt"]

        assert refused(await viewer(factory, api_key=secret))
        assert refused(await viewer(factory, token=secret))
        # Other keys of the tenant keep working.
        assert "errors" not in await viewer(factory, api_key=world.api_key)

    async def test_key_sees_only_its_own_tenant(self, factory: Factory) -> None:
        ours, theirs = await factory.world(), await factory.world()
        me = await viewer(factory, api_key=ours.api_key)
        assert me["data"]["viewer"]["tenant"] == {"slug": ours.tenant.slug}

        ticket = await factory.ticket(theirs.tenant, theirs.board, title="Their secret")
        body = await factory.gql(TICKET, {"id": gid("tkt", ticket.id)}, api_key=ours.api_key)
        assert body["data"]["ticket"] is None
        mine = await factory.gql(TICKET, {"id": gid("tkt", ticket.id)}, api_key=theirs.api_key)
        assert mine["data"]["ticket"]["title"] == "Their secret"

    async def test_cannot_revoke_another_tenants_key(self, factory: Factory) -> None:
        ours, theirs = await factory.world(), await factory.world()
        their_key = await key_id(factory, theirs, "admin key")
        body = await factory.gql(REVOKE_API_KEY, {"input": {"id": their_key}}, token=ours.token)
        assert error_codes(body) == ["NOT_FOUND"]
        assert "errors" not in await viewer(factory, api_key=theirs.api_key)


# --- roles ---------------------------------------------------------------------------------------


def _mutations(
    world: World, ticket_id: str, api_key_id: str, widget_token_id: str
) -> dict[str, tuple[str, dict]]:
    """Every mutation, with an input that is valid for this world."""
    unique = uuid.uuid4().hex[:8]
    return {
        "createTicket": (
            "mutation($i: CreateTicketInput!) { createTicket(input: $i) { ticket { id } } }",
            {"boardId": gid("brd", world.board.id), "title": "Printer"},
        ),
        "updateTicket": (
            "mutation($i: UpdateTicketInput!) { updateTicket(input: $i) { ticket { id } } }",
            {"id": ticket_id, "status": "RESOLVED"},
        ),
        "addComment": (
            "mutation($i: AddCommentInput!) { addComment(input: $i) { comment { id } } }",
            {"ticketId": ticket_id, "body": "On it"},
        ),
        "deleteTicket": (
            "mutation($i: DeleteTicketInput!) { deleteTicket(input: $i) { deletedTicketId } }",
            {"id": ticket_id},
        ),
        "createBoard": (
            "mutation($i: CreateBoardInput!) { createBoard(input: $i) { board { id } } }",
            {"name": f"Board {unique}"},
        ),
        "createApiKey": (
            "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }",
            {"name": f"key {unique}"},
        ),
        "revokeApiKey": (
            "mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { apiKey { id } } }",
            {"id": api_key_id},
        ),
        "createUser": (
            "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }",
            {"email": f"{unique}@example.com", "name": "New", "role": "AGENT"},
        ),
        "createWidgetToken": (
            "mutation($i: CreateWidgetTokenInput!) { createWidgetToken(input: $i) { token } }",
            {"name": f"widget {unique}"},
        ),
        "revokeWidgetToken": (
            "mutation($i: RevokeWidgetTokenInput!) "
            "{ revokeWidgetToken(input: $i) { widgetToken { id } } }",
            {"id": widget_token_id},
        ),
    }


ALL_MUTATIONS = [
    "createTicket",
    "updateTicket",
    "addComment",
    "deleteTicket",
    "createBoard",
    "createApiKey",
    "revokeApiKey",
    "createUser",
    "createWidgetToken",
    "revokeWidgetToken",
]
ADMIN_ONLY = [
    "deleteTicket",
    "createBoard",
    "createApiKey",
    "revokeApiKey",
    "createUser",
    "createWidgetToken",
    "revokeWidgetToken",
]

# Connectors hold signing secrets: each of their mutations is for administrators only.
CONNECTOR_MUTATIONS = [
    "createConnector",
    "rotateConnectorSecret",
    "deactivateConnector",
    "activateConnector",
    "saveInboundMapping",
    "createOutboundAction",
]
ALL_MUTATIONS += CONNECTOR_MUTATIONS
ADMIN_ONLY += CONNECTOR_MUTATIONS

# Calling a platform's action is casework; its secrets are the administrators'.
CONNECTOR_ACTION_MUTATIONS = ["runConnectorAction", "approveConnectorAction", "setConnectorSecret"]
ALL_MUTATIONS += CONNECTOR_ACTION_MUTATIONS
ADMIN_ONLY += ["setConnectorSecret"]


def _connector_action_mutations(connector_id: str, case_id: str) -> dict[str, tuple[str, dict]]:
    return {
        "runConnectorAction": (
            "mutation($i: RunConnectorActionInput!) "
            "{ runConnectorAction(input: $i) { execution { id } } }",
            {"caseId": case_id, "actionId": f"act_{uuid.uuid4()}", "reason": "Threats"},
        ),
        "approveConnectorAction": (
            "mutation($i: ApproveConnectorActionInput!) "
            "{ approveConnectorAction(input: $i) { execution { id } } }",
            {"caseId": case_id, "executionId": f"axn_{uuid.uuid4()}"},
        ),
        "setConnectorSecret": (
            "mutation($i: SetConnectorSecretInput!) "
            "{ setConnectorSecret(input: $i) { secret { name } } }",
            {"connectorId": connector_id, "name": "service_key", "value": "sk_live_1234"},
        ),
    }


# An intake form is a public page that files tickets into the tenant: administrators only.
INTAKE_MUTATIONS = ["createIntakeForm", "updateIntakeForm"]
ALL_MUTATIONS += INTAKE_MUTATIONS
ADMIN_ONLY += INTAKE_MUTATIONS


# Safety cases are worked by the whole team; tenant-wide deadlines are for administrators.
CASE_MUTATIONS = [
    "createCase",
    "linkTicketToCase",
    "transitionCase",
    "assignCase",
    "setCasePriority",
    "setCaseSla",
]
ALL_MUTATIONS += CASE_MUTATIONS
ADMIN_ONLY += ["setCaseSla"]


def _case_mutations(world: World, case_id: str, ticket_id: str) -> dict[str, tuple[str, dict]]:
    return {
        "createCase": (
            "mutation($i: CreateCaseInput!) { createCase(input: $i) { case { id } } }",
            {"caseType": "THREATS", "priority": "HIGH", "subject": "Threat to a streamer"},
        ),
        "linkTicketToCase": (
            "mutation($i: LinkTicketToCaseInput!) { linkTicketToCase(input: $i) { case { id } } }",
            {"caseId": case_id, "ticketId": ticket_id},
        ),
        "transitionCase": (
            "mutation($i: TransitionCaseInput!) { transitionCase(input: $i) { previousStatus } }",
            {"id": case_id, "status": "ESCALATED", "reason": "Credible threat"},
        ),
        "assignCase": (
            "mutation($i: AssignCaseInput!) { assignCase(input: $i) { case { id } } }",
            {"id": case_id, "assigneeId": gid("usr", world.admin.id)},
        ),
        "setCasePriority": (
            "mutation($i: SetCasePriorityInput!) { setCasePriority(input: $i) { case { id } } }",
            {"id": case_id, "priority": "LOW", "reason": "Stale"},
        ),
        "setCaseSla": (
            "mutation($i: SetCaseSlaInput!) { setCaseSla(input: $i) { minutes } }",
            {"caseType": "OTHER", "priority": "HIGH", "minutes": 120},
        ),
    }


# Who is on the team, and with which role, is for administrators alone.
TEAM_MUTATIONS = ["deactivateUser", "reactivateUser", "setUserRole"]
ALL_MUTATIONS += TEAM_MUTATIONS
ADMIN_ONLY += TEAM_MUTATIONS


# A tenant's SLA policy is for administrators; notifications are each person's own, and like
# every change they are not for viewers (who are never notified).
SLA_NOTIFICATION_MUTATIONS = [
    "updateTicketSlaPolicy",
    "markNotificationsRead",
    "updateNotificationPreferences",
]
ALL_MUTATIONS += SLA_NOTIFICATION_MUTATIONS
ADMIN_ONLY += ["updateTicketSlaPolicy"]


def _sla_notification_mutations() -> dict[str, tuple[str, dict]]:
    return {
        "updateTicketSlaPolicy": (
            "mutation($i: UpdateTicketSlaPolicyInput!) "
            "{ updateTicketSlaPolicy(input: $i) { policy { timeZone } } }",
            {"timeZone": "Europe/Paris"},
        ),
        "markNotificationsRead": (
            "mutation($i: MarkNotificationsReadInput!) "
            "{ markNotificationsRead(input: $i) { markedCount } }",
            {},
        ),
        "updateNotificationPreferences": (
            "mutation($i: UpdateNotificationPreferencesInput!) "
            "{ updateNotificationPreferences(input: $i) { preferences { kind } } }",
            {"preferences": [{"kind": "MENTION", "inApp": True, "email": False}]},
        ),
    }


def _team_mutations(user_id: str) -> dict[str, tuple[str, dict]]:
    return {
        "deactivateUser": (
            "mutation($i: SetUserActiveInput!) { deactivateUser(input: $i) { user { id } } }",
            {"id": user_id},
        ),
        "reactivateUser": (
            "mutation($i: SetUserActiveInput!) { reactivateUser(input: $i) { user { id } } }",
            {"id": user_id},
        ),
        "setUserRole": (
            "mutation($i: SetUserRoleInput!) { setUserRole(input: $i) { user { id } } }",
            {"id": user_id, "role": "VIEWER"},
        ),
    }


# Evidence is preserved by the team; legal holds are refused to agents by the service, as
# safeguarding leads may set them too.
EVIDENCE_MUTATIONS = ["preserveEvidence", "preserveWebhookEvidence", "setEvidenceLegalHold"]
ALL_MUTATIONS += EVIDENCE_MUTATIONS


def _evidence_mutations(case_id: str) -> dict[str, tuple[str, dict]]:
    evidence_id = f"evi_{uuid.uuid4()}"
    return {
        "preserveEvidence": (
            "mutation($i: PreserveEvidenceInput!) { preserveEvidence(input: $i) "
            "{ evidence { id } } }",
            preserve_input(case_id),
        ),
        "preserveWebhookEvidence": (
            "mutation($i: PreserveWebhookEvidenceInput!) { preserveWebhookEvidence(input: $i) "
            "{ evidence { id } } }",
            {"caseId": case_id, "eventId": f"evt_{uuid.uuid4()}", "reason": "Keep"},
        ),
        "setEvidenceLegalHold": (
            "mutation($i: SetEvidenceLegalHoldInput!) { setEvidenceLegalHold(input: $i) "
            "{ evidence { id } } }",
            {"id": evidence_id, "on": True, "reason": "Litigation"},
        ),
    }


# Referrals: the service refuses them to agents (and hides CSEA ones), viewers never write.
REFERRAL_MUTATIONS = [
    "createReferral",
    "submitReferralForReview",
    "returnReferralToDraft",
    "submitReferral",
    "acknowledgeReferral",
    "withdrawReferral",
]
ALL_MUTATIONS += REFERRAL_MUTATIONS


# Knowledge articles are written by the team; viewers only read published ones.
KNOWLEDGE_MUTATIONS = [
    "createKnowledgeArticle",
    "updateKnowledgeArticle",
    "archiveKnowledgeArticle",
]
ALL_MUTATIONS += KNOWLEDGE_MUTATIONS


# AI drafts, procedures and merges are the team's work; AI settings are the administrators'.
AI_MUTATIONS = ["draftReply", "approveDraft", "rejectDraft", "ticketToSop"]
MERGE_MUTATIONS = ["mergeTickets", "unmergeTicket"]
ALL_MUTATIONS += [*AI_MUTATIONS, *MERGE_MUTATIONS, "updateAiSettings"]
ADMIN_ONLY += ["updateAiSettings"]

# Workflows act as the tenant's administrators would: administrators alone define them.
WORKFLOW_MUTATIONS = ["createWorkflow", "updateWorkflow", "deleteWorkflow"]
ALL_MUTATIONS += WORKFLOW_MUTATIONS
ADMIN_ONLY += WORKFLOW_MUTATIONS
# Webhook endpoints hold signing secrets and receive the tenant's events.
WEBHOOK_MUTATIONS = [
    "createWebhookEndpoint",
    "updateWebhookEndpoint",
    "deleteWebhookEndpoint",
    "rotateWebhookSecret",
    "replayWebhookDelivery",
    "replayFailedWebhookDeliveries",
]
ALL_MUTATIONS += WEBHOOK_MUTATIONS
ADMIN_ONLY += WEBHOOK_MUTATIONS
WORKFLOW_STEPS = [{"order": 1, "action": "add_tag", "config": {"tag": "seen"}}]


def _webhook_mutations(endpoint_id: str, delivery_id: str) -> dict[str, tuple[str, dict]]:
    by_id = {"id": endpoint_id}
    return {
        "createWebhookEndpoint": (
            "mutation($i: CreateWebhookEndpointInput!) "
            "{ createWebhookEndpoint(input: $i) { signingSecret } }",
            {"url": "https://public.example.com/hook", "events": ["ticket_created"]},
        ),
        "updateWebhookEndpoint": (
            "mutation($i: UpdateWebhookEndpointInput!) "
            "{ updateWebhookEndpoint(input: $i) { endpoint { id } } }",
            {**by_id, "active": False},
        ),
        "deleteWebhookEndpoint": (
            "mutation($i: DeleteWebhookEndpointInput!) "
            "{ deleteWebhookEndpoint(input: $i) { deletedId } }",
            by_id,
        ),
        "rotateWebhookSecret": (
            "mutation($i: RotateWebhookSecretInput!) "
            "{ rotateWebhookSecret(input: $i) { signingSecret } }",
            by_id,
        ),
        "replayWebhookDelivery": (
            "mutation($i: ReplayWebhookDeliveryInput!) "
            "{ replayWebhookDelivery(input: $i) { delivery { id } } }",
            {"endpointId": endpoint_id, "deliveryId": delivery_id},
        ),
        "replayFailedWebhookDeliveries": (
            "mutation($i: ReplayFailedWebhookDeliveriesInput!) "
            "{ replayFailedWebhookDeliveries(input: $i) { replayed } }",
            {"endpointId": endpoint_id, "since": "2026-01-01T00:00:00Z"},
        ),
    }


def _workflow_mutations(workflow_id: str) -> dict[str, tuple[str, dict]]:
    return {
        "createWorkflow": (
            "mutation($i: CreateWorkflowInput!) { createWorkflow(input: $i) { workflow { id } } }",
            {"name": "Tag", "trigger": {"event": "ticket.created"}, "steps": WORKFLOW_STEPS},
        ),
        "updateWorkflow": (
            "mutation($i: UpdateWorkflowInput!) { updateWorkflow(input: $i) { workflow { id } } }",
            {"id": workflow_id, "active": True},
        ),
        "deleteWorkflow": (
            "mutation($i: DeleteWorkflowInput!) { deleteWorkflow(input: $i) { workflow { id } } }",
            {"id": workflow_id},
        ),
    }


def _ai_mutations(ticket_id: str) -> dict[str, tuple[str, dict]]:
    draft_id = f"drf_{uuid.uuid4()}"
    return {
        "draftReply": (
            "mutation($i: DraftReplyInput!) { draftReply(input: $i) { draft { id } } }",
            {"ticketId": ticket_id},
        ),
        "approveDraft": (
            "mutation($i: ApproveDraftInput!) { approveDraft(input: $i) { draft { id } } }",
            {"draftId": draft_id},
        ),
        "rejectDraft": (
            "mutation($i: RejectDraftInput!) { rejectDraft(input: $i) { draft { id } } }",
            {"draftId": draft_id},
        ),
        "ticketToSop": (
            "mutation($i: TicketToSopInput!) { ticketToSop(input: $i) { article { id } } }",
            {"ticketId": ticket_id},
        ),
        "mergeTickets": (
            "mutation($i: MergeTicketsInput!) { mergeTickets(input: $i) { source { id } } }",
            {"sourceId": ticket_id, "targetId": f"tkt_{uuid.uuid4()}"},
        ),
        "unmergeTicket": (
            "mutation($i: UnmergeTicketInput!) { unmergeTicket(input: $i) { source { id } } }",
            {"ticketId": ticket_id},
        ),
        "updateAiSettings": (
            "mutation($i: UpdateAISettingsInput!) "
            "{ updateAiSettings(input: $i) { settings { applyThreshold } } }",
            {"applyThreshold": 0.8},
        ),
    }


def _knowledge_mutations() -> dict[str, tuple[str, dict]]:
    article_id = f"ka_{uuid.uuid4()}"
    return {
        "createKnowledgeArticle": (
            "mutation($i: CreateKnowledgeArticleInput!) "
            "{ createKnowledgeArticle(input: $i) { article { id } } }",
            {"title": "Refunds", "content": "Within 30 days.", "category": "faq"},
        ),
        "updateKnowledgeArticle": (
            "mutation($i: UpdateKnowledgeArticleInput!) "
            "{ updateKnowledgeArticle(input: $i) { article { id } } }",
            {"id": article_id, "title": "Refunds and returns"},
        ),
        "archiveKnowledgeArticle": (
            "mutation($i: ArchiveKnowledgeArticleInput!) "
            "{ archiveKnowledgeArticle(input: $i) { article { id } } }",
            {"id": article_id},
        ),
    }


def _referral_mutations(case_id: str) -> dict[str, tuple[str, dict]]:
    referral_id = f"ref_{uuid.uuid4()}"
    return {
        "createReferral": (
            "mutation($i: CreateReferralInput!) { createReferral(input: $i) { referral { id } } }",
            {"caseId": case_id, "type": "POLICE", "urgency": "URGENT", "summary": "Threats"},
        ),
        "submitReferralForReview": (
            "mutation($i: SubmitReferralForReviewInput!) "
            "{ submitReferralForReview(input: $i) { referral { id } } }",
            {"id": referral_id},
        ),
        "returnReferralToDraft": (
            "mutation($i: ReturnReferralToDraftInput!) "
            "{ returnReferralToDraft(input: $i) { referral { id } } }",
            {"id": referral_id, "reason": "Add dates"},
        ),
        "submitReferral": (
            "mutation($i: SubmitReferralInput!) { submitReferral(input: $i) { referral { id } } }",
            {"id": referral_id},
        ),
        "acknowledgeReferral": (
            "mutation($i: AcknowledgeReferralInput!) "
            "{ acknowledgeReferral(input: $i) { referral { id } } }",
            {"id": referral_id, "referenceNumber": "NCA-1"},
        ),
        "withdrawReferral": (
            "mutation($i: WithdrawReferralInput!) "
            "{ withdrawReferral(input: $i) { referral { id } } }",
            {"id": referral_id, "reason": "Error"},
        ),
    }


def _intake_mutations(form_id: str) -> dict[str, tuple[str, dict]]:
    return {
        "createIntakeForm": (
            "mutation($i: CreateIntakeFormInput!) "
            "{ createIntakeForm(input: $i) { intakeForm { id } } }",
            {"slug": f"roles-{uuid.uuid4().hex[:12]}", "title": "Help"},
        ),
        "updateIntakeForm": (
            "mutation($i: UpdateIntakeFormInput!) "
            "{ updateIntakeForm(input: $i) { intakeForm { id } } }",
            {"id": form_id, "isActive": False},
        ),
    }


def _connector_mutations(connector_id: str) -> dict[str, tuple[str, dict]]:
    by_id = {"id": connector_id}
    return {
        "createConnector": (
            "mutation($i: CreateConnectorInput!) { createConnector(input: $i) { signingSecret } }",
            {"name": "Platform", "type": "WEBHOOK"},
        ),
        "rotateConnectorSecret": (
            "mutation($i: RotateConnectorSecretInput!) "
            "{ rotateConnectorSecret(input: $i) { signingSecret } }",
            by_id,
        ),
        "deactivateConnector": (
            "mutation($i: DeactivateConnectorInput!) "
            "{ deactivateConnector(input: $i) { connector { id } } }",
            by_id,
        ),
        "activateConnector": (
            "mutation($i: ActivateConnectorInput!) "
            "{ activateConnector(input: $i) { connector { id } } }",
            by_id,
        ),
        "saveInboundMapping": (
            "mutation($i: SaveInboundMappingInput!) "
            "{ saveInboundMapping(input: $i) { mapping { id } } }",
            {
                "connectorId": connector_id,
                "eventType": "user_reported",
                "fieldMappings": [{"source": "payload.reason", "target": "category"}],
            },
        ),
        "createOutboundAction": (
            "mutation($i: CreateOutboundActionInput!) "
            "{ createOutboundAction(input: $i) { action { id } } }",
            {
                "connectorId": connector_id,
                "actionType": "SEND_WARNING",
                "endpoint": "https://platform.example/warn",
                "method": "POST",
                "payloadTemplate": "{}",
            },
        ),
    }


async def run_mutation(
    factory: Factory,
    world: World,
    name: str,
    *,
    token: str | None = None,
    api_key: str | None = None,
) -> dict[str, Any]:
    ticket = await factory.ticket(world.tenant, world.board)
    await factory.api_key(world.tenant, Role.AGENT)  # the key `revokeApiKey` targets
    widget = await factory.gql(  # the token `revokeWidgetToken` targets
        'mutation { createWidgetToken(input: {name: "Site"}) { widgetToken { id } } }',
        token=world.token,
    )
    widget_token_id = widget["data"]["createWidgetToken"]["widgetToken"]["id"]
    connector = await factory.gql(  # the connector the connector mutations target
        'mutation { createConnector(input: {name: "Site", type: WEBHOOK}) { connector { id } } }',
        token=world.token,
    )
    connector_id = connector["data"]["createConnector"]["connector"]["id"]
    form = await factory.gql(  # the form `updateIntakeForm` targets
        'mutation($slug: String!) { createIntakeForm(input: {slug: $slug, title: "Help"}) '
        "{ intakeForm { id } } }",
        {"slug": f"roles-{uuid.uuid4().hex[:12]}"},
        token=world.token,
    )
    form_id = form["data"]["createIntakeForm"]["intakeForm"]["id"]
    case = await factory.gql(  # the case the case mutations target
        'mutation { createCase(input: {caseType: FRAUD, priority: HIGH, subject: "Scam"}) '
        "{ case { id } } }",
        token=world.token,
    )
    case_id = case["data"]["createCase"]["case"]["id"]
    create_workflow, workflow_input = _workflow_mutations("")["createWorkflow"]
    workflow = await factory.gql(create_workflow, {"i": workflow_input}, token=world.token)
    workflow_id = workflow["data"]["createWorkflow"]["workflow"]["id"]
    calls = _mutations(
        world, gid("tkt", ticket.id), await key_id(factory, world, "agent key"), widget_token_id
    )
    mutation, variables = {
        **calls,
        **_connector_mutations(connector_id),
        **_connector_action_mutations(connector_id, case_id),
        **_intake_mutations(form_id),
        **_case_mutations(world, case_id, gid("tkt", ticket.id)),
        **_evidence_mutations(case_id),
        **_referral_mutations(case_id),
        **_knowledge_mutations(),
        **_ai_mutations(gid("tkt", ticket.id)),
        **_team_mutations(gid("usr", (await factory.user(world.tenant, Role.AGENT)).id)),
        **_sla_notification_mutations(),
        **_workflow_mutations(workflow_id),
        **_webhook_mutations(*await endpoint_with_delivery(factory, world)),
    }[name]
    return await factory.gql(mutation, {"i": variables}, token=token, api_key=api_key)


class TestRoles:
    def test_the_role_tables_above_cover_every_mutation(self) -> None:
        fields = set(schema._schema.mutation_type.fields)  # type: ignore[union-attr]
        assert fields == {*ALL_MUTATIONS, "login", "refreshToken"}

    async def test_viewer_can_read(self, factory: Factory) -> None:
        world = await factory.world()
        ticket = await factory.ticket(world.tenant, world.board, title="Readable")
        token = await factory.token(await factory.user(world.tenant, Role.VIEWER))
        body = await factory.gql(
            "query($id: ID!) { viewer { role } boards { id } users { email } ticket(id: $id) "
            "{ title } tickets { totalCount } }",
            {"id": gid("tkt", ticket.id)},
            token=token,
        )
        assert "errors" not in body, body
        assert body["data"]["viewer"]["role"] == "VIEWER"
        assert body["data"]["ticket"] == {"title": "Readable"}
        assert body["data"]["boards"] == [{"id": gid("brd", world.board.id)}]

    @pytest.mark.parametrize("name", ALL_MUTATIONS)
    async def test_viewer_cannot_run_any_mutation(self, factory: Factory, name: str) -> None:
        world = await factory.world()
        token = await factory.token(await factory.user(world.tenant, Role.VIEWER))
        body = await run_mutation(factory, world, name, token=token)
        assert error_codes(body) == ["FORBIDDEN"]

    async def test_viewer_api_key_cannot_write_either(self, factory: Factory) -> None:
        world = await factory.world()
        key = await factory.api_key(world.tenant, Role.VIEWER)
        body = await run_mutation(factory, world, "createTicket", api_key=key)
        assert error_codes(body) == ["FORBIDDEN"]

    @pytest.mark.parametrize("name", ADMIN_ONLY)
    async def test_agent_cannot_run_admin_only_mutations(self, factory: Factory, name: str) -> None:
        world = await factory.world()
        token = await factory.token(await factory.user(world.tenant, Role.AGENT))
        body = await run_mutation(factory, world, name, token=token)
        assert error_codes(body) == ["FORBIDDEN"]

    @pytest.mark.parametrize("name", ADMIN_ONLY)
    async def test_admin_can_run_admin_only_mutations(self, factory: Factory, name: str) -> None:
        world = await factory.world()
        body = await run_mutation(factory, world, name, token=world.token)
        assert "errors" not in body, body
        assert body["data"][name]

    async def test_forbidden_delete_leaves_the_ticket_in_place(self, factory: Factory) -> None:
        world = await factory.world()
        ticket = await factory.ticket(world.tenant, world.board, title="Keep me")
        agent = await factory.token(await factory.user(world.tenant, Role.AGENT))
        body = await factory.gql(
            "mutation($i: DeleteTicketInput!) { deleteTicket(input: $i) { deletedTicketId } }",
            {"i": {"id": gid("tkt", ticket.id)}},
            token=agent,
        )
        assert error_codes(body) == ["FORBIDDEN"]
        still = await factory.gql(TICKET, {"id": gid("tkt", ticket.id)}, token=agent)
        assert still["data"]["ticket"]["title"] == "Keep me"

    @pytest.mark.parametrize(
        "query",
        [
            VIEWER,
            "query { users { id } }",
            "query { apiKeys { id } }",
            "query { boards { id } }",
            "query { tickets { totalCount } }",
            'query { ticket(id: "tkt_00000000-0000-0000-0000-000000000000") { id } }',
            'query { node(id: "brd_00000000-0000-0000-0000-000000000000") { id } }',
            "query { verifyAuditChain { ok headHash } }",
            "query { auditLog { edges { node { hash } } } }",
        ],
    )
    async def test_protected_queries_need_credentials(
        self, client: httpx.AsyncClient, query: str
    ) -> None:
        response = await post(client, query, {})
        assert response.status_code == 200
        assert error_codes(response.json()) == ["UNAUTHENTICATED"]
        assert not any((response.json()["data"] or {}).values())

    @pytest.mark.parametrize("name", ALL_MUTATIONS)
    async def test_mutations_need_credentials(self, factory: Factory, name: str) -> None:
        world = await factory.world()
        body = await run_mutation(factory, world, name)
        assert error_codes(body) == ["UNAUTHENTICATED"]

    async def test_non_bearer_authorization_counts_as_no_credentials(
        self, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        response = await post(client, VIEWER, {"Authorization": f"Basic {world.token}"})
        assert error_codes(response.json()) == ["UNAUTHENTICATED"]

    async def test_login_needs_no_credentials(
        self, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        tenant = await factory.tenant()
        user = await factory.user(tenant)
        response = await client.post(
            "/graphql",
            json={
                "query": LOGIN,
                "variables": {"input": {"email": user.email, "password": PASSWORD}},
            },
        )
        assert response.status_code == 200
        assert response.json()["data"]["login"]["user"] == {"email": user.email}
