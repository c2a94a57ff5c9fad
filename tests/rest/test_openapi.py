"""The REST document at /api/openapi.json: valid OpenAPI 3.1, and true to the routes served."""

import re
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema_rs
import pytest
import schemathesis
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR
from starlette.routing import BaseRoute, Mount, Route

from app.services import Services
from app.web.app import create_app

DOCUMENTED_PREFIXES = ("/v1/", "/api/v1/", "/functions/v1/", "/intake/")
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
CONVERTOR = re.compile(r"\{([^}:]+)(:[^}]+)?\}")


@pytest.fixture(scope="module")
async def served(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/api/openapi.json")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return dict(response.json())


def walk(node: Any, path: str = "#") -> Iterator[tuple[str, Any]]:
    """Every (JSON pointer, value) in the document."""
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, f"{path}/{str(key).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}/{index}")


def resolve(document: dict[str, Any], pointer: str) -> Any:
    node: Any = document
    for part in pointer.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def schemas_in(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every JSON Schema the document holds: components, parameters, media types, headers."""
    for name, schema in document["components"]["schemas"].items():
        yield f"components/schemas/{name}", schema
    for pointer, node in walk(document):
        if pointer.startswith("#/components/schemas"):
            continue
        if isinstance(node, dict) and isinstance(node.get("schema"), dict):
            yield pointer, node["schema"]


def validator(document: dict[str, Any], schema: dict[str, Any]) -> jsonschema_rs.Validator:
    # The document's components ride along so `#/components/...` references resolve.
    return jsonschema_rs.validator_for(
        {**schema, "components": document["components"]}, validate_formats=True
    )


def operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (path, method.upper())
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def served_operations(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, str]]:
    for route in routes:
        if isinstance(route, Mount):
            yield from served_operations(route.routes, prefix + route.path)
            continue
        if not isinstance(route, Route) or route.methods is None:
            continue
        path = prefix + route.path
        # Catch-alls (`{path:path}`) answer unknown URLs with the envelope; they are no
        # operation of their own.
        if ":path}" in path or not (path == "/health" or path.startswith(DOCUMENTED_PREFIXES)):
            continue
        for method in route.methods - {"HEAD"}:
            yield CONVERTOR.sub(r"{\1}", path), method


class TestDocument:
    async def test_is_served_without_credentials(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/openapi.json")
        assert response.status_code == 200
        assert response.json()["openapi"] == "3.1.0"

    def test_is_valid_openapi_3_1(self, served: dict[str, Any]) -> None:
        errors = [
            f"{e.instance_path}: {e.message}" for e in OPENAPI_31_VALIDATOR.iter_errors(served)
        ]
        assert errors == []

    def test_every_schema_is_valid_json_schema(self, served: dict[str, Any]) -> None:
        broken = []
        for where, schema in schemas_in(served):
            try:
                jsonschema_rs.meta.validate(schema)
            except jsonschema_rs.ValidationError as error:
                broken.append(f"{where}: {error.message}")
        assert broken == []

    def test_every_reference_resolves(self, served: dict[str, Any]) -> None:
        references = [
            node["$ref"]
            for _, node in walk(served)
            if isinstance(node, dict) and isinstance(node.get("$ref"), str)
        ]
        assert references
        for reference in references:
            assert reference.startswith("#/"), reference
            resolve(served, reference)  # raises KeyError when dangling

    def test_every_operation_loads_into_schemathesis(self, served: dict[str, Any]) -> None:
        schema = schemathesis.openapi.from_dict(served)
        results = list(schema.get_all_operations())
        failures = [result for result in results if not isinstance(result, Ok)]
        assert failures == []
        assert len(results) == len(operations(served))

    def test_examples_match_their_schemas(self, served: dict[str, Any]) -> None:
        checked, wrong = 0, []
        for pointer, node in walk(served):
            if not (isinstance(node, dict) and isinstance(node.get("schema"), dict)):
                continue
            examples = [node["example"]] if "example" in node else []
            examples += [item["value"] for item in node.get("examples", {}).values()]
            check = validator(served, node["schema"])
            for example in examples:
                checked += 1
                wrong += [f"{pointer}: {error.message}" for error in check.iter_errors(example)]
        assert checked >= 10
        assert wrong == []

    def test_every_link_leads_to_an_operation_parameter(self, served: dict[str, Any]) -> None:
        by_id = {
            op["operationId"]: op
            for item in served["paths"].values()
            for method, op in item.items()
            if method in HTTP_METHODS
        }
        found = 0
        for pointer, node in walk(served):
            if not pointer.endswith("/links"):
                continue
            response = resolve(served, pointer.removesuffix("/links"))
            body = response["content"]["application/json"]["schema"]
            properties = resolve(served, body["$ref"])["properties"]
            for link in node.values():
                target = by_id[link["operationId"]]
                names = {parameter["name"] for parameter in target.get("parameters", [])}
                for name, expression in link["parameters"].items():
                    found += 1
                    assert name in names, (pointer, name)
                    assert expression.removeprefix("$response.body#/") in properties, pointer
        assert found >= 5

    def test_every_error_response_is_the_envelope(self, served: dict[str, Any]) -> None:
        envelope = validator(served, {"$ref": "#/components/schemas/Error"})
        for status, response in served["components"]["responses"].items():
            code = response["content"]["application/json"]["schema"]["allOf"][1]
            example = {"error": {"code": code["properties"]["error"]["properties"]["code"]["const"],
                                 "message": "x"}}  # fmt: skip
            assert envelope.is_valid(example), status
            assert validator(served, response["content"]["application/json"]["schema"]).is_valid(
                example
            )
        codes = served["components"]["schemas"]["ErrorBody"]["properties"]["code"]["enum"]
        assert set(codes) == {
            "VALIDATION_ERROR",
            "UNAUTHORIZED",
            "FORBIDDEN",
            "NOT_FOUND",
            "CONFLICT",
            "RATE_LIMITED",
            "PAYLOAD_TOO_LARGE",
            "INTERNAL_ERROR",
        }


@pytest.fixture(scope="module")
def served_routes(services: Services) -> set[tuple[str, str]]:
    return set(served_operations(create_app(services.settings, services).routes))


class TestRoutes:
    def test_every_served_route_is_documented(
        self, served: dict[str, Any], served_routes: set[tuple[str, str]]
    ) -> None:
        assert {("/health", "GET"), ("/v1/tickets", "POST"), ("/api/v1/tickets", "GET")} <= (
            served_routes
        )
        assert served_routes - operations(served) == set()

    def test_every_documented_operation_is_served(
        self, served: dict[str, Any], served_routes: set[tuple[str, str]]
    ) -> None:
        assert operations(served) - served_routes == set()


def test_a_case_documents_its_evidence_as_typed_items(served: dict[str, Any]) -> None:
    # The case detail once described its evidence as bare objects, "empty until evidence
    # records exist", while the server already listed preserved items.
    evidence = served["components"]["schemas"]["CaseDetail"]["properties"]["evidence"]
    item = resolve(served, evidence["items"]["$ref"])
    assert item["required"] == ["id", "type", "preserved_at", "s3_object_lock"]
    assert item["additionalProperties"] is False
    assert item["properties"]["id"]["pattern"] == "^evi_[0-9a-f-]{36}$"
    assert "empty until" not in str(evidence)
