"""The `haven` console script, run for real in a subprocess against the test database."""

import argparse
import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from app import __version__
from app.cli import parser
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

    def __init__(self, database_url: str | None, home: Path | None, cwd: Path | None = None):
        inherited = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("HAVEN_") and key not in {"DATABASE_URL", "REDIS_URL"}
        }
        self.env = inherited
        if database_url:
            self.env["DATABASE_URL"] = database_url
        if home:
            self.env["HAVEN_HOME"] = str(home)
        self.cwd = cwd

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(HAVEN), *args],
            env={**self.env, **env},
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=120,
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


def configuration_error(result: subprocess.CompletedProcess[str]) -> str:
    """The message of a refused command: exit 1, nothing on stdout, one line on stderr."""
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    error = json.loads(lines[0])["error"]
    assert error["code"] == "CONFIGURATION_ERROR"
    return str(error["message"])


def help_less(command: argparse.ArgumentParser, path: str = "haven") -> Iterator[str]:
    """Every action of `command` and its sub-commands that a user would see without help."""
    for action in command._actions:
        if not action.help:
            yield f"{path} {'/'.join(action.option_strings) or action.dest}"
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                if not choice.help:
                    yield f"{path} {choice.dest}"
            for name, sub in action.choices.items():
                yield from help_less(sub, f"{path} {name}")


class TestHelpAndVersion:
    def test_every_command_sub_command_and_option_has_help(self) -> None:
        assert list(help_less(parser())) == []

    def test_walk_finds_an_option_without_help(self) -> None:
        made = parser()
        made.add_argument("--undocumented")
        assert list(help_less(made)) == ["haven --undocumented"]

    def test_version_prints_the_package_version(self, tmp_path: Path) -> None:
        result = Haven(None, None, cwd=tmp_path).run("--version")
        assert (result.returncode, result.stdout) == (0, f"haven {__version__}\n")
        assert __version__ == "0.1.0"

    def test_help_lists_every_command(self, tmp_path: Path) -> None:
        result = Haven(None, None, cwd=tmp_path).run("--help")
        assert result.returncode == 0
        for command in ("serve", "migrate", "worker", "tenants", "keys"):
            assert re.search(rf"^\s+{command}\s+\S", result.stdout, re.MULTILINE), command


class TestHome:
    """Without DATABASE_URL the database lives in HAVEN_HOME, or the project's `.haven`."""

    def test_outside_any_project_a_command_refuses_and_creates_nothing(
        self, tmp_path: Path
    ) -> None:
        result = Haven(None, None, cwd=tmp_path).run("keys", "revoke", "--tenant", "x", "key_1")
        message = configuration_error(result)
        assert "no Haven home found" in message
        assert str(tmp_path) in message and "HAVEN_HOME" in message
        assert list(tmp_path.iterdir()) == []

    def test_home_is_found_from_a_folder_inside_the_project(self, tmp_path: Path) -> None:
        (tmp_path / "pyproject.toml").write_text('[project]\nname = "haven"\n')
        inside = tmp_path / "app" / "web"
        inside.mkdir(parents=True)
        message = configuration_error(Haven(None, None, cwd=inside).run("worker"))
        assert f"no database in {tmp_path / '.haven'} yet" in message
        assert "haven migrate" in message
        assert not (tmp_path / ".haven").exists() and list(inside.iterdir()) == []

    def test_an_existing_haven_folder_above_is_the_home(self, tmp_path: Path) -> None:
        (tmp_path / ".haven").mkdir()
        (tmp_path / "other").mkdir()
        (tmp_path / "other" / "pyproject.toml").write_text('[project]\nname = "not-haven"\n')
        message = configuration_error(Haven(None, None, cwd=tmp_path / "other").run("worker"))
        assert f"no database in {tmp_path / '.haven'} yet" in message

    def test_haven_home_without_a_database_is_named(self, tmp_path: Path) -> None:
        home = tmp_path / "typo"
        result = Haven(None, home, cwd=tmp_path).run(
            "tenants", "create", "--name", "A", "--admin-email", "a@example.com"
        )
        message = configuration_error(result)
        assert f"HAVEN_HOME={home}" in message
        assert not home.exists()

    def test_migrate_creates_a_home_where_asked_and_commands_then_use_it(
        self, tmp_path: Path
    ) -> None:
        haven = Haven(None, None, cwd=tmp_path)
        migrated = haven.run("migrate")
        assert migrated.returncode == 0, migrated.stderr
        assert "migrations applied" in migrated.stdout
        assert (tmp_path / ".haven" / "pgdata").is_dir()
        made = output(
            haven.run(
                "tenants", "create", "--name", "Here", "--admin-email", "a@example.com", "--json"
            )
        )
        assert made["slug"] == "here"


class TestDatabaseProblems:
    def test_unreachable_database_is_one_line_without_the_password(self, tmp_path: Path) -> None:
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        closed.close()  # nothing listens there now
        url = f"postgresql://haven:hunter2@127.0.0.1:{port}/haven"
        message = configuration_error(Haven(url, tmp_path).run("worker"))
        assert message.startswith(f"cannot connect to the database at 127.0.0.1:{port}/haven")
        assert "hunter2" not in message

    async def test_database_without_haven_tables_says_to_migrate(
        self, database_url: str, tmp_path: Path
    ) -> None:
        name = f"haven_empty_{uuid.uuid4().hex[:8]}"
        dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
        connection = await asyncpg.connect(dsn)
        try:
            await connection.execute(f"CREATE DATABASE {name}")
        finally:
            await connection.close()
        empty = database_url.replace("/haven_test?", f"/{name}?")
        result = await asyncio.to_thread(
            Haven(empty, tmp_path).run, "keys", "revoke", "--tenant", "x", "key_1"
        )
        message = configuration_error(result)
        assert "has no Haven tables yet: run `haven migrate`" in message


class TestServeChecks:
    def test_port_in_use_is_one_line(self, haven: Haven) -> None:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            message = configuration_error(haven.run("serve", "--port", str(port)))
        assert message.startswith(f"port {port} on 127.0.0.1 is already in use")

    def test_port_from_the_environment_is_checked_too(self, haven: Haven) -> None:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            message = configuration_error(haven.run("serve", HAVEN_PORT=str(port)))
        assert f"port {port} on 127.0.0.1" in message

    def test_host_that_is_not_this_machines_is_one_line(self, haven: Haven) -> None:
        message = configuration_error(haven.run("serve", "--host", "192.0.2.1", "--port", "8001"))
        assert "is not an address of this machine" in message

    def test_bad_port_option_is_a_usage_error(self, haven: Haven) -> None:
        result = haven.run("serve", "--port", "70000")
        assert result.returncode == 2
        assert "70000 is not a port number (1-65535)" in result.stderr
        assert "Traceback" not in result.stderr
