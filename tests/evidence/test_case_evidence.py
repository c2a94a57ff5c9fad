"""A case's REST views show its evidence: the list counts it, the detail lists it, and that
listing is on the custody record like any other."""

import httpx

from app.evidence.models import CustodyAction
from app.services import Services
from tests.conftest import StatementCounter
from tests.evidence.helpers import build_scene, custody_rows, upload
from tests.factories import Factory, gid


async def test_case_views_count_and_list_evidence_on_the_record(
    client: httpx.AsyncClient, factory: Factory, services: Services
) -> None:
    scene = await build_scene(factory, services)
    store = services.evidence
    first = await scene.custody(services).preserve_upload(store, upload(scene.case))
    await scene.custody(services).preserve_upload(store, upload(scene.case))
    headers = {
        "Authorization": f"Bearer {scene.world.token}",
        "User-Agent": "Case-Viewer/2.0",
    }
    listed = await client.get("/api/v1/cases?caseType=harassment", headers=headers)
    counts = {case["id"]: case["evidence_count"] for case in listed.json()["data"]}
    assert counts[gid("cas", scene.case.id)] == 2
    before = len(await custody_rows(services, scene.world.tenant.id))

    detail = await client.get(f"/api/v1/cases/{gid('cas', scene.case.id)}", headers=headers)
    assert detail.status_code == 200, detail.text
    evidence = detail.json()["evidence"]
    assert [list(item) for item in evidence] == [
        ["id", "type", "preserved_at", "s3_object_lock"]
    ] * 2
    assert evidence[0]["id"] == gid("evi", first.item.id)
    assert evidence[0]["type"] == "message" and evidence[0]["s3_object_lock"] is False

    logged = (await custody_rows(services, scene.world.tenant.id))[before:]
    assert [entry.action for entry in logged] == [CustodyAction.LISTED] * 2
    assert {entry.user_agent for entry in logged} == {"Case-Viewer/2.0"}


CASE_EVIDENCE = """query($id: ID!) {
  case(id: $id) { evidence(reason: "Reviewing the case") { totalCount edges { node { id } } } }
}"""


async def test_a_cases_evidence_in_graphql_is_listed_on_the_record(
    factory: Factory, services: Services
) -> None:
    scene = await build_scene(factory, services)
    made = await scene.custody(services).preserve_upload(services.evidence, upload(scene.case))
    before = len(await custody_rows(services, scene.world.tenant.id))
    body = await factory.gql(
        CASE_EVIDENCE, {"id": gid("cas", scene.case.id)}, token=scene.world.token
    )
    evidence = body["data"]["case"]["evidence"]
    assert evidence == {"totalCount": 1, "edges": [{"node": {"id": gid("evi", made.item.id)}}]}
    (logged,) = (await custody_rows(services, scene.world.tenant.id))[before:]
    assert (logged.action, logged.reason) == (CustodyAction.LISTED, "Reviewing the case")


async def test_listing_costs_the_same_statements_for_two_items_or_twelve(
    factory: Factory, services: Services, statements: StatementCounter
) -> None:
    """Custody and audit entries for a page are written together, not one round trip each."""
    costs = []
    for count in (2, 12):
        scene = await build_scene(factory, services)
        for _ in range(count):
            await scene.custody(services).preserve_upload(services.evidence, upload(scene.case))
        before = statements.count
        listing = await scene.custody(services).listing(scene.case.id, 50, None)
        costs.append(statements.count - before)
        assert listing.total == count
        logged = await custody_rows(services, scene.world.tenant.id)
        assert [e.action for e in logged].count(CustodyAction.LISTED) == count
    assert costs[0] == costs[1], costs
