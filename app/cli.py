"""`haven`: serve, migrate, and manage tenants and API keys."""

import argparse
import asyncio
import json
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, NoReturn

from app import __version__
from app.kit.errors import HavenError
from app.kit.preflight import check_database, check_home, check_port
from app.kit.settings import Settings, load_settings
from app.kit.unavailable import CODE as UNAVAILABLE
from app.kit.unavailable import DatabaseUnavailable
from app.knowledge.cli import kb_parser

if TYPE_CHECKING:  # the app itself loads only for commands that need it: --help stays instant
    from app.auth.principal import Principal
    from app.services import Services


def _with_services(settings: Settings, job: Callable[["Services"], Awaitable[Any]]) -> Any:
    from app.services import Services

    services = Services.start(settings)

    async def run() -> Any:
        try:
            return await job(services)
        finally:
            await services.db.engine.dispose()

    try:
        return asyncio.run(run())
    finally:
        if services.db.embedded is not None:
            services.db.embedded.stop()


def _exit_on_stop_signals() -> None:
    """SIGTERM and SIGINT end the process with SystemExit(0), so `finally` blocks and exit
    hooks run (the embedded PostgreSQL is stopped by one). uvicorn handles both while it serves
    and, once it has shut down, raises them again; by default SIGTERM would then kill the
    process on the spot, leaving the server behind."""

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)


def serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from app.kit.logs import configure_logging, logging_config
    from app.kit.migrate import upgrade
    from app.services import Services
    from app.tenants.demo import seed_demo
    from app.web.app import create_app

    configure_logging(settings)
    _exit_on_stop_signals()
    services = Services.start(settings)
    if args.migrate:
        upgrade(services.db.url)
    if args.demo:

        async def seed() -> dict[str, Any]:
            try:
                return await seed_demo(services.db, settings.home, services.sealer)
            finally:
                await services.db.engine.dispose()

        _print_demo(asyncio.run(seed()), settings.public_url)
    uvicorn.run(
        create_app(settings, services),
        host=args.host,
        port=args.port,
        log_level="info",
        log_config=logging_config(settings),
        # Live events are small JSON; per-connection compression state cost ~40 KiB a socket
        # and CPU on every send for little saving.
        ws_per_message_deflate=False,
        # Forwarded headers are read by the app, from HAVEN_TRUSTED_PROXIES only; uvicorn's own
        # reading would trust 127.0.0.1 besides.
        proxy_headers=False,
    )
    if services.db.embedded is not None:
        services.db.embedded.stop()


def worker(args: argparse.Namespace, settings: Settings) -> None:
    from app.jobs.worker import Worker
    from app.kit.logs import configure_logging

    configure_logging(settings)
    _with_services(settings, lambda services: Worker(services).serve_forever())


def _print_demo(credentials: dict[str, Any], public_url: str) -> None:
    base = public_url.rstrip("/")
    print(
        "\nHaven demo tenant ready\n"
        f"  login     {credentials['email']} / {credentials['password']}"
        f"  (tenant {credentials['tenant']})\n"
        f"  API key   {credentials['api_key']}\n"
        f"  GraphQL   {base}/graphql  (GraphiQL in the browser)\n"
        f"  Board     {base}/board/{credentials['board_id']}#key={credentials['api_key']}\n"
        f"  Intake    {base}/intake/{credentials['intake_form']}  (public form, no sign-in)\n"
        f"  Portal    {base}/portal\n"
        f"  Widget    X-Widget-Token: {credentials['widget_token']}  (POST /api/v1/reports)\n"
        f"  Webhooks  signing secret {credentials['webhook_secret']}"
        "  (POST /api/v1/webhooks/events)\n"
        f"  OpenAPI   {base}/api/openapi.json\n"
        f"  Health    {base}/health  (liveness; {base}/ready checks the database)\n"
        f"  JWKS      {base}/.well-known/jwks.json\n",
        flush=True,
    )


def migrate(args: argparse.Namespace, settings: Settings) -> None:
    from app.kit.migrate import upgrade
    from app.services import Services

    services = Services.start(settings)
    try:
        upgrade(services.db.url)
    finally:
        if services.db.embedded is not None:
            services.db.embedded.stop()
    print("migrations applied")


def tenants_create(args: argparse.Namespace, settings: Settings) -> None:
    from app.tenants.models import Plan
    from app.tenants.service import create_tenant

    async def job(services: "Services") -> dict[str, str]:
        async with services.db.transaction() as work:
            made = await create_tenant(
                work.session, name=args.name, admin_email=args.admin_email, plan=Plan(args.plan)
            )
        return {
            "tenant_id": f"ten_{made.tenant.id}",
            "slug": made.tenant.slug,
            "admin_email": made.admin.email,
            "admin_password": made.admin_password,
            "api_key": made.api_key_secret,
        }

    _report(args, settings, job)


def keys_create(args: argparse.Namespace, settings: Settings) -> None:
    from app.auth.models import Role
    from app.auth.service import create_api_key

    async def job(services: "Services") -> dict[str, str]:
        async with services.db.transaction() as work:
            operator = await _operator(work.session, args.tenant)
            key, secret = await create_api_key(
                work.session, operator, name=args.name, role=Role(args.role)
            )
        return {"id": f"key_{key.id}", "api_key": secret, "role": key.role}

    _report(args, settings, job)


def keys_revoke(args: argparse.Namespace, settings: Settings) -> None:
    from app.auth.service import revoke_api_key
    from app.kit.ids import expect_global_id

    async def job(services: "Services") -> dict[str, str]:
        async with services.db.transaction() as work:
            operator = await _operator(work.session, args.tenant)
            key = await revoke_api_key(work.session, operator, expect_global_id(args.id, "ApiKey"))
        return {"id": f"key_{key.id}", "revoked_at": str(key.revoked_at)}

    _report(args, settings, job)


async def _operator(session: Any, slug: str) -> "Principal":
    """Whoever runs these commands, acting as an administrator of the tenant `slug`."""
    from app.auth.models import Role
    from app.auth.principal import Principal
    from app.kit.actors import ActorKind
    from app.kit.errors import NotFound
    from app.tenants.repository import by_slug

    tenant = await by_slug(session, slug)
    if tenant is None:
        raise NotFound("Tenant")
    return Principal(tenant.id, Role.ADMIN, ActorKind.SYSTEM, tenant.id, "operator")


def _report(
    args: argparse.Namespace, settings: Settings, job: Callable[["Services"], Awaitable[Any]]
) -> None:
    """Run `job` and print what it returns: aligned lines, or one JSON object with --json."""
    result: dict[str, str] = _with_services(settings, job)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>15}  {value}")


def port_number(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (1-65535)")
    return port


def parser() -> argparse.ArgumentParser:
    """Every command, sub-command and option, each with its help (a test walks them all)."""
    root = argparse.ArgumentParser(
        prog="haven",
        description=__doc__,
        epilog="Settings come from HAVEN_* variables and DATABASE_URL; see the README.",
    )
    root.add_argument(
        "--version", action="version", version=f"haven {__version__}", help="print the version"
    )
    commands = root.add_subparsers(
        dest="command", required=True, metavar="COMMAND", help="`haven COMMAND --help` for more"
    )
    _serve_parser(commands)
    migrations = "apply database migrations (creates the database if needed)"
    _command(commands, "migrate", migrations).set_defaults(handler=migrate)
    _command(commands, "worker", "run scheduled and queued jobs").set_defaults(handler=worker)
    _tenants_parser(commands)
    _keys_parser(commands)
    kb_parser(_actions(commands, "kb", "knowledge base articles"), _report)
    return root


def _command(commands: Any, name: str, summary: str) -> argparse.ArgumentParser:
    made: argparse.ArgumentParser = commands.add_parser(name, help=summary, description=summary)
    return made


def _actions(commands: Any, name: str, things: str) -> Any:
    """A command whose sub-commands are what can be done with `things`."""
    return _command(commands, name, f"manage {things}").add_subparsers(
        dest="action", required=True, metavar="ACTION", help=f"what to do with {things}"
    )


def _reporting(command: argparse.ArgumentParser, handler: Callable[..., None]) -> None:
    """The command's last option, --json, and its handler, which prints through `_report`."""
    command.add_argument("--json", action="store_true", help="print the result as one JSON object")
    command.set_defaults(handler=handler)


def _serve_parser(commands: Any) -> None:
    run = _command(commands, "serve", "migrate and serve the API")
    run.add_argument("--host", help="address to listen on (default: HAVEN_HOST, 127.0.0.1)")
    run.add_argument(
        "--port", type=port_number, help="port to listen on (default: HAVEN_PORT, 8000)"
    )
    run.add_argument(
        "--demo",
        action="store_true",
        help="seed and print the demo tenant (creates the database if needed)",
    )
    run.add_argument(
        "--no-migrate",
        dest="migrate",
        action="store_false",
        help="skip applying migrations (when a separate `haven migrate` step owns them)",
    )
    run.set_defaults(handler=serve)


def _tenants_parser(commands: Any) -> None:
    tenants = _actions(commands, "tenants", "tenants")
    create = _command(tenants, "create", "create a tenant with its admin and an API key")
    create.add_argument("--name", required=True, help="the tenant's name (its slug comes from it)")
    create.add_argument("--admin-email", required=True, help="email of the tenant's first admin")
    create.add_argument(
        "--plan",
        default="free",
        choices=["free", "pro", "business", "enterprise"],
        help="billing plan, which sets rate limits (default: free)",
    )
    _reporting(create, tenants_create)


def _keys_parser(commands: Any) -> None:
    keys = _actions(commands, "keys", "API keys")
    new_key = _command(keys, "create", "create an API key (shown once)")
    new_key.add_argument("--tenant", required=True, help="tenant slug")
    new_key.add_argument("--name", required=True, help="what the key is for, e.g. 'crm sync'")
    new_key.add_argument(
        "--role",
        default="agent",
        choices=["admin", "agent", "safeguarding_lead", "viewer"],
        help="what the key may do (default: agent)",
    )
    _reporting(new_key, keys_create)
    revoke = _command(keys, "revoke", "revoke an API key")
    revoke.add_argument("--tenant", required=True, help="tenant slug")
    revoke.add_argument("id", help="key id (key_...)")
    _reporting(revoke, keys_revoke)


def _settings(args: argparse.Namespace) -> Settings:
    """The environment's settings, with `serve --host/--port` in place of HAVEN_HOST/PORT (so
    the links Haven hands out follow them too)."""
    given = {
        name: getattr(args, name)
        for name in ("host", "port")
        if getattr(args, name, None) is not None
    }
    settings = load_settings(**given)
    if args.command == "serve":
        args.host, args.port = settings.host, settings.port
    return settings


def _preflight(args: argparse.Namespace, settings: Settings) -> None:
    serving = args.command == "serve"
    if serving:
        check_port(settings.host, settings.port)
    creates = args.command == "migrate" or (serving and args.demo)
    check_home(settings, may_create=creates)
    migrates = args.command == "migrate" or (serving and args.migrate)
    check_database(settings, need_schema=not migrates)


def _fail(code: str, message: str) -> NoReturn:
    print(json.dumps({"error": {"code": code, "message": message}}), file=sys.stderr)
    sys.exit(1)


def main(argv: list[str] | None = None) -> None:
    """Run one command. Expected failures (bad settings, an unreachable database, a taken
    port, a refused operation) print `{"error": {"code", "message"}}` on one line of stderr
    and exit 1."""
    args = parser().parse_args(argv)
    try:
        settings = _settings(args)
        _preflight(args, settings)
        args.handler(args, settings)
    except HavenError as error:
        _fail(error.code, error.message)
    except DatabaseUnavailable as error:
        _fail(UNAVAILABLE, f"the database stopped answering: {error}")
