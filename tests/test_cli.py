"""The `haven` console script, run for real in a subprocess against the test database."""

import asyncio
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from app.services import Services
from app.tenants.repository import by_slug
from tests.factories import Factory, error_codes

HAVEN = Path(sys.executable).parent / "haven"
LOGIN = """
mutation($input: LoginInput!) { login(input: $input) { accessToken user { email role } } }
"""
VIEWER = "query { viewer { role tenant { slug } } }"


class Haven:
    """Runs `haven ...` with only the test database and a scratch home configured."""

    def __init__(self, database_url: str, home: Path) -> None:
        inherited = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("HAVEN_") and key not in {"DATABASE_URL", "REDIS_URL"}
        }
        self.env = {**inherited, "DATABASE_URL": database_url, "HAVEN_HOME": str(home)}

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(HAVEN), *args], env=self.env, capture_output=True, text=True, timeout=60
        )

    async def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        return await asyncio.to_thread(self.run, *args)


def output(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def failure(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    return dict(json.loads(result.stderr.strip().splitlines()[-1])["error"])


@pytest.fixture(scope="module")
def haven(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Haven:
    return Haven(database_url, tmp_path_factory.mktemp("haven-cli-home"))


@pytest.fixture(scope="module")
def created(haven: Haven) -> dict[str, Any]:
    """One tenant made through the CLI, shared by the tests that only read it."""
    name = f"Acme {uuid.uuid4().hex[:8]}"
    email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
    made = output(haven.run("tenants", "create", "--name", name, "--admin-email", email, "--json"))
    return {**made, "name": name}


class TestTenantsCreate:
    def test_prints_the_tenant_and_its_one_time_credentials_as_json(
        self, created: dict[str, Any]
    ) -> None:
        assert re.fullmatch(r"ten_[0-9a-f-]{36}", created["tenant_id"])
        assert created["slug"] == created["name"].lower().replace(" ", "-")
        assert created["admin_email"].startswith("owner-")
        assert len(created["admin_password"]) >= 10
        assert created["api_key"].startswith("hv_")

    async def test_printed_admin_password_signs_in_and_api_key_works(
        self, factory: Factory, created: dict[str, Any]
    ) -> None:
        login = await factory.gql(
            LOGIN,
            {"input": {"email": created["admin_email"], "password": created["admin_password"]}},
        )
        assert login["data"]["login"]["user"] == {
            "email": created["admin_email"],
            "role": "ADMIN",
        }
        as_admin = await factory.gql(VIEWER, token=login["data"]["login"]["accessToken"])
        as_key = await factory.gql(VIEWER, api_key=created["api_key"])
        expected = {"role": "ADMIN", "tenant": {"slug": created["slug"]}}
        assert as_admin["data"]["viewer"] == expected
        assert as_key["data"]["viewer"] == expected

    async def test_duplicate_tenant_name_is_a_conflict(
        self, haven: Haven, created: dict[str, Any]
    ) -> None:
        result = await haven(
            "tenants", "create", "--name", created["name"], "--admin-email", "x@example.com"
        )
        error = failure(result)
        assert error["code"] == "CONFLICT"
        assert created["slug"] in error["message"]

    async def test_invalid_admin_email_is_refused_and_creates_nothing(
        self, haven: Haven, services: Services
    ) -> None:
        name = f"Broken {uuid.uuid4().hex[:8]}"
        result = await haven("tenants", "create", "--name", name, "--admin-email", "not-an-email")
        assert failure(result)["code"] == "VALIDATION_ERROR"
        async with services.db.read() as session:
            assert await by_slug(session, name.lower().replace(" ", "-")) is None


class TestKeys:
    async def test_created_key_works_until_revoked(
        self, haven: Haven, factory: Factory, created: dict[str, Any]
    ) -> None:
        slug = created["slug"]
        made = output(
            await haven(
                "keys", "create", "--tenant", slug, "--name", "x", "--role", "viewer", "--json"
            )
        )
        assert made["api_key"].startswith("hv_") and made["role"] == "viewer"
        assert re.fullmatch(r"key_[0-9a-f-]{36}", made["id"])
        before = await factory.gql(VIEWER, api_key=made["api_key"])
        assert before["data"]["viewer"] == {"role": "VIEWER", "tenant": {"slug": slug}}

        revoked = output(await haven("keys", "revoke", "--tenant", slug, made["id"], "--json"))
        assert revoked["id"] == made["id"] and revoked["revoked_at"] not in ("", "None")

        after = await factory.gql(VIEWER, api_key=made["api_key"])
        assert error_codes(after) == ["UNAUTHENTICATED"]
        # The tenant's first key is untouched.
        still = await factory.gql(VIEWER, api_key=created["api_key"])
        assert still["data"]["viewer"]["tenant"] == {"slug": slug}
