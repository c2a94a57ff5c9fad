"""What a command checks before it starts anything, so a mistake is one line, not a traceback
from deep inside a server: a home with a database in it, a database that answers, a free port.
"""

import asyncio
import errno
import socket
import sys
from pathlib import Path

import asyncpg

from app.kit.configuration import ConfigurationError, database_location, find_home
from app.kit.settings import Settings

PROBE_TIMEOUT_SECONDS = 5.0


def check_home(settings: Settings, may_create: bool) -> None:
    """Refuse to start an empty embedded database by accident, say from the wrong folder;
    `may_create` (migrate, serve --demo) makes one where the settings point."""
    if settings.database_url or (settings.home / "pgdata").is_dir():
        return
    if may_create:
        print(f"haven: creating a new database under {settings.home.resolve()}", file=sys.stderr)
        return
    raise ConfigurationError(_no_database(settings))


def _no_database(settings: Settings) -> str:
    home = settings.home.resolve()
    create = "run `haven migrate` (or `haven serve --demo`) to create one"
    if "home" in settings.model_fields_set:
        return f"no database in HAVEN_HOME={home} yet: {create} there, or fix HAVEN_HOME"
    if find_home(Path.cwd()) is not None:
        return f"no database in {home} yet: {create}, or set HAVEN_HOME to an existing home"
    return (
        f"no Haven home found: HAVEN_HOME is unset and neither {Path.cwd()} nor a folder above "
        "it holds a .haven/ folder or Haven's pyproject.toml; set HAVEN_HOME=/path/to/.haven "
        f"(or DATABASE_URL), or {create} in this folder"
    )


def check_database(settings: Settings, need_schema: bool) -> None:
    """DATABASE_URL answers, and, when `need_schema`, has been migrated."""
    if settings.database_url:
        asyncio.run(_probe(settings.database_url, need_schema))


async def _probe(url: str, need_schema: bool) -> None:
    where = database_location(url)
    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    try:
        connection = await asyncpg.connect(dsn, timeout=PROBE_TIMEOUT_SECONDS)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        reason = str(error).partition("\n")[0] or type(error).__name__
        raise ConfigurationError(f"cannot connect to the database at {where}: {reason}") from None
    try:
        migrated = await connection.fetchval("SELECT to_regclass('alembic_version')")
    finally:
        await connection.close()
    if need_schema and migrated is None:
        raise ConfigurationError(
            f"the database at {where} has no Haven tables yet: run `haven migrate` first"
        )


def check_port(host: str, port: int) -> None:
    """`host`:`port` can be listened on; binds and lets go at once, as the server binds."""
    try:
        family, kind, _, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror:
        raise ConfigurationError(f"HAVEN_HOST={host!r} is not an address or a known name") from None
    with socket.socket(family, kind) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            raise ConfigurationError(_unbindable(host, port, error)) from None


def _unbindable(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is already in use: stop what listens there, or choose "
            "another with HAVEN_PORT or --port"
        )
    if error.errno == errno.EADDRNOTAVAIL:
        return f"HAVEN_HOST={host!r} is not an address of this machine"
    if error.errno == errno.EACCES:
        return f"not allowed to listen on port {port}; ports below 1024 need privileges"
    return f"cannot listen on {host}:{port}: {error.strerror}"
