"""`haven`: serve, migrate, and manage tenants and API keys."""

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from app.kit.errors import HavenError
from app.kit.settings import Settings, get_settings
from app.services import Services


def _with_services(settings: Settings, job: Callable[[Services], Awaitable[Any]]) -> Any:
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


def serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from app.kit.migrate import upgrade
    from app.tenants.demo import seed_demo
    from app.web.app import create_app

    services = Services.start(settings)
    if args.migrate:
        upgrade(services.db.url)
    if args.demo:

        async def seed() -> dict[str, Any]:
            try:
                return await seed_demo(services.db, settings.home, services.sealer)
            finally:
                await services.db.engine.dispose()

        _print_demo(asyncio.run(seed()), args.host, args.port)
    uvicorn.run(
        create_app(settings, services),
        host=args.host,
        port=args.port,
        log_level="info",
        # Live events are small JSON; per-connection compression state cost ~40 KiB a socket
        # and CPU on every send for little saving.
        ws_per_message_deflate=False,
    )
    if services.db.embedded is not None:
        services.db.embedded.stop()


def worker(args: argparse.Namespace, settings: Settings) -> None:
    from app.jobs.worker import Worker

    _with_services(settings, lambda services: Worker(services).serve_forever())


def _print_demo(credentials: dict[str, Any], host: str, port: int) -> None:
    base = f"http://{host}:{port}"
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
        f"  Health    {base}/health\n"
        f"  JWKS      {base}/.well-known/jwks.json\n",
        flush=True,
    )


def migrate(args: argparse.Namespace, settings: Settings) -> None:
    from app.kit.migrate import upgrade

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

    async def job(services: Services) -> dict[str, str]:
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

    _report(_with_services(settings, job), args.json)


def keys_create(args: argparse.Namespace, settings: Settings) -> None:
    from app.auth.models import Role
    from app.auth.principal import Principal
    from app.auth.service import create_api_key
    from app.tickets.models import ActorKind

    async def job(services: Services) -> dict[str, str]:
        async with services.db.transaction() as work:
            tenant = await _tenant(work.session, args.tenant)
            operator = Principal(tenant.id, Role.ADMIN, ActorKind.SYSTEM, tenant.id, "operator")
            key, secret = await create_api_key(
                work.session, operator, name=args.name, role=Role(args.role)
            )
        return {"id": f"key_{key.id}", "api_key": secret, "role": key.role}

    _report(_with_services(settings, job), args.json)


def keys_revoke(args: argparse.Namespace, settings: Settings) -> None:
    from app.auth.models import Role
    from app.auth.principal import Principal
    from app.auth.service import revoke_api_key
    from app.kit.ids import expect_global_id
    from app.tickets.models import ActorKind

    async def job(services: Services) -> dict[str, str]:
        async with services.db.transaction() as work:
            tenant = await _tenant(work.session, args.tenant)
            operator = Principal(tenant.id, Role.ADMIN, ActorKind.SYSTEM, tenant.id, "operator")
            key = await revoke_api_key(work.session, operator, expect_global_id(args.id, "ApiKey"))
        return {"id": f"key_{key.id}", "revoked_at": str(key.revoked_at)}

    _report(_with_services(settings, job), args.json)


async def _tenant(session: Any, slug: str) -> Any:
    from app.kit.errors import NotFound
    from app.tenants.repository import by_slug

    tenant = await by_slug(session, slug)
    if tenant is None:
        raise NotFound("Tenant")
    return tenant


def _report(result: dict[str, str], as_json: bool) -> None:
    if as_json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>15}  {value}")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="haven", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    run = commands.add_parser("serve", help="migrate and serve the API")
    run.add_argument("--host", default=get_settings().host)
    run.add_argument("--port", type=int, default=get_settings().port)
    run.add_argument("--demo", action="store_true", help="seed and print the demo tenant")
    run.add_argument(
        "--no-migrate",
        dest="migrate",
        action="store_false",
        help="skip applying migrations (when a separate `haven migrate` step owns them)",
    )
    run.set_defaults(handler=serve)

    commands.add_parser("migrate", help="apply database migrations").set_defaults(handler=migrate)
    commands.add_parser("worker", help="run scheduled and queued jobs").set_defaults(handler=worker)

    tenants = commands.add_parser("tenants").add_subparsers(dest="action", required=True)
    create = tenants.add_parser("create", help="create a tenant with its admin and an API key")
    create.add_argument("--name", required=True)
    create.add_argument("--admin-email", required=True)
    create.add_argument("--plan", default="free", choices=["free", "pro", "business", "enterprise"])
    create.add_argument("--json", action="store_true")
    create.set_defaults(handler=tenants_create)

    keys = commands.add_parser("keys").add_subparsers(dest="action", required=True)
    new_key = keys.add_parser("create", help="create an API key (shown once)")
    new_key.add_argument("--tenant", required=True, help="tenant slug")
    new_key.add_argument("--name", required=True)
    new_key.add_argument(
        "--role", default="agent", choices=["admin", "agent", "safeguarding_lead", "viewer"]
    )
    new_key.add_argument("--json", action="store_true")
    new_key.set_defaults(handler=keys_create)
    revoke = keys.add_parser("revoke", help="revoke an API key")
    revoke.add_argument("--tenant", required=True, help="tenant slug")
    revoke.add_argument("id", help="key id (key_...)")
    revoke.add_argument("--json", action="store_true")
    revoke.set_defaults(handler=keys_revoke)
    return root


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        args.handler(args, get_settings())
    except HavenError as error:
        print(
            json.dumps({"error": {"code": error.code, "message": error.message}}), file=sys.stderr
        )
        sys.exit(1)
