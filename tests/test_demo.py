"""The demo tenant `make run` prints: created once, and everything it prints works."""

import json
from pathlib import Path

import httpx

from app.services import Services
from app.tenants.demo import seed_demo
from tests.webhooks.helpers import PATH, event, signed_headers


async def test_the_demo_is_seeded_once_and_its_credentials_work(
    services: Services, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    first = await seed_demo(services.db, tmp_path, services.sealer)
    assert await seed_demo(services.db, tmp_path, services.sealer) == first
    assert json.loads((tmp_path / "demo-credentials.json").read_text()) == first

    body = json.dumps(event()).encode()
    headers = signed_headers(first["webhook_secret"], body, first["api_key"])
    delivered = await client.post(PATH, content=body, headers=headers)
    assert delivered.status_code == 202, delivered.text

    report = await client.post(
        "/api/v1/reports",
        json={"category": "spam", "description": "Selling followers in every chat"},
        headers={"X-Widget-Token": first["widget_token"]},
    )
    assert report.status_code == 201, report.text

    form = await client.get(f"/intake/{first['intake_form']}")
    assert form.status_code == 200 and "Demo support" in form.text

    board = await client.get(
        "/api/v1/tickets", headers={"Authorization": f"Bearer {first['api_key']}"}
    )
    sources = sorted(ticket["source"] for ticket in board.json()["data"])
    assert sources == ["form", "form", "form", "webhook", "widget"]
