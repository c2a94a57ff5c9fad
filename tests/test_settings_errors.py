"""Configuration mistakes are refused in one readable line naming the variable; files may hold
secrets; links follow where Haven listens unless HAVEN_PUBLIC_URL says otherwise."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.kit.configuration import ConfigurationError, unknown_variables
from app.kit.settings import load_settings, variable_names

HAVEN = Path(sys.executable).parent / "haven"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test sets: no HAVEN_* or DATABASE_URL from the machine running the tests."""
    for name in list(os.environ):
        if name.upper().startswith("HAVEN_") or name in ("DATABASE_URL", "REDIS_URL"):
            monkeypatch.delenv(name)


def refusal(monkeypatch: pytest.MonkeyPatch, **variables: str) -> str:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as refused:
        load_settings()
    assert refused.value.code == "CONFIGURATION_ERROR"
    assert "\n" not in refused.value.message
    return refused.value.message


class TestRefusedValues:
    @pytest.mark.parametrize(
        ("variables", "expected"),
        [
            ({"HAVEN_PORT": "abc"}, "HAVEN_PORT='abc': should be a whole number"),
            ({"HAVEN_PORT": "70000"}, "HAVEN_PORT='70000': should be less than or equal to 65535"),
            ({"HAVEN_PORT": "0"}, "HAVEN_PORT='0': should be greater than or equal to 1"),
            (
                {"HAVEN_ENV": "staging"},
                "HAVEN_ENV='staging': should be 'development', 'test' or 'production'",
            ),
            (
                {"HAVEN_INLINE_WORKER": "maybe"},
                "HAVEN_INLINE_WORKER='maybe': should be true or false",
            ),
            ({"HAVEN_EVIDENCE_STORE": "disk"}, "HAVEN_EVIDENCE_STORE='disk': should be 'local'"),
            (
                {"HAVEN_RATE_LIMITS_PER_MINUTE": "lots"},
                "HAVEN_RATE_LIMITS_PER_MINUTE: should be JSON",
            ),
            (
                {"HAVEN_PUBLIC_URL": "haven.example.com"},
                "HAVEN_PUBLIC_URL='haven.example.com': should start with http:// or https://",
            ),
        ],
    )
    def test_invalid_value_names_the_variable_and_what_it_should_be(
        self, monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], expected: str
    ) -> None:
        assert refusal(monkeypatch, **variables).startswith(expected)

    def test_several_problems_are_all_named_in_the_one_line(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        message = refusal(monkeypatch, HAVEN_PORT="abc", HAVEN_ENV="staging")
        assert "HAVEN_PORT" in message and "HAVEN_ENV" in message

    def test_secret_values_are_never_repeated(self, monkeypatch: pytest.MonkeyPatch) -> None:
        message = refusal(monkeypatch, HAVEN_METRICS_TOKEN="hunter2")
        assert message.startswith("HAVEN_METRICS_TOKEN:") and "hunter2" not in message


class TestDatabaseUrl:
    @pytest.mark.parametrize(
        ("url", "expected"),
        [
            ("localhost:5432/haven", "DATABASE_URL is not a valid URL"),
            ("just some words", "DATABASE_URL is not a valid URL"),
            ("postgresql://haven:hunter2@db:port/haven", "DATABASE_URL is not a valid URL"),
            ("mysql://haven:hunter2@db/haven", "DATABASE_URL should be a PostgreSQL URL"),
            ("postgresql://haven:hunter2@/haven", "DATABASE_URL names no host"),
            ("postgresql://haven:hunter2@db:99999/haven", "DATABASE_URL has port 99999"),
        ],
    )
    def test_malformed_url_is_refused_without_showing_it(
        self, monkeypatch: pytest.MonkeyPatch, url: str, expected: str
    ) -> None:
        message = refusal(monkeypatch, DATABASE_URL=url)
        assert message.startswith(expected)
        assert "hunter2" not in message
        assert "postgresql://user:password@host:5432/database" in message or "99999" in message

    @pytest.mark.parametrize(
        "url",
        [
            "postgresql://haven@db:5432/haven",
            "postgres://haven:pw@db/haven",
            "postgresql+asyncpg://postgres@/haven?host=/run/postgresql",
        ],
    )
    def test_postgres_urls_are_accepted(self, monkeypatch: pytest.MonkeyPatch, url: str) -> None:
        monkeypatch.setenv("DATABASE_URL", url)
        assert load_settings().database_url == url

    def test_empty_url_means_the_embedded_server(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("DATABASE_URL", "")
        assert load_settings().database_url is None


class TestMisspelledVariables:
    def test_misspelling_is_refused_naming_the_nearest_setting(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        message = refusal(monkeypatch, HAVEN_PROT="9000")
        assert message.startswith("HAVEN_PROT is not a Haven setting (did you mean HAVEN_PORT?)")

    def test_every_misspelling_is_named(self, monkeypatch: pytest.MonkeyPatch) -> None:
        message = refusal(monkeypatch, HAVEN_EVIDENCE_STOR="s3", HAVEN_INLINE_WROKER="false")
        assert "did you mean HAVEN_EVIDENCE_STORE?" in message
        assert "did you mean HAVEN_INLINE_WORKER?" in message

    def test_lower_case_names_are_settings_too(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("haven_port", "9001")
        assert load_settings().port == 9001

    def test_every_setting_and_its_file_variant_is_known(self) -> None:
        names = variable_names()
        assert names["port"] == "HAVEN_PORT" and names["database_url"] == "DATABASE_URL"
        for file_variant in (
            "HAVEN_JWT_PRIVATE_KEY_FILE",
            "HAVEN_SECRET_KEY_FILE",
            "HAVEN_SMTP_PASSWORD_FILE",
            "HAVEN_EVIDENCE_S3_ACCESS_KEY_FILE",
            "HAVEN_EVIDENCE_S3_SECRET_KEY_FILE",
            "HAVEN_DATABASE_PASSWORD_FILE",
        ):
            assert file_variant in names.values()
        # None of the model's own names is taken for a misspelling.
        assert (
            unknown_variables(dict.fromkeys(names.values(), "x"), "HAVEN_", names.values()) is None
        )


class TestSecretFiles:
    def test_secrets_are_read_from_their_files(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        (tmp_path / "access").write_text("haven-app\n")
        (tmp_path / "secret").write_text("s3cr3t-value\n")
        (tmp_path / "smtp").write_text("mail-pass")
        monkeypatch.setenv("HAVEN_EVIDENCE_S3_ACCESS_KEY_FILE", str(tmp_path / "access"))
        monkeypatch.setenv("HAVEN_EVIDENCE_S3_SECRET_KEY_FILE", str(tmp_path / "secret"))
        monkeypatch.setenv("HAVEN_SMTP_PASSWORD_FILE", str(tmp_path / "smtp"))
        settings = load_settings()
        assert settings.evidence_s3_access_key == "haven-app"
        assert settings.evidence_s3_secret_key == "s3cr3t-value"
        assert settings.smtp_password == "mail-pass"

    def test_database_password_file_completes_the_url(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        (tmp_path / "db").write_text("p@ss/word\n")
        monkeypatch.setenv("DATABASE_URL", "postgresql://haven@postgres:5432/haven")
        monkeypatch.setenv("HAVEN_DATABASE_PASSWORD_FILE", str(tmp_path / "db"))
        url = load_settings().database_url
        assert url == "postgresql://haven:p%40ss%2Fword@postgres:5432/haven"

    def test_missing_file_is_named(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        missing = tmp_path / "nowhere"
        message = refusal(monkeypatch, HAVEN_EVIDENCE_S3_SECRET_KEY_FILE=str(missing))
        assert message == (
            f"HAVEN_EVIDENCE_S3_SECRET_KEY_FILE={missing}: cannot read the file "
            "(No such file or directory)"
        )

    def test_value_and_file_together_are_refused(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        (tmp_path / "secret").write_text("one")
        message = refusal(
            monkeypatch,
            HAVEN_EVIDENCE_S3_SECRET_KEY="two",
            HAVEN_EVIDENCE_S3_SECRET_KEY_FILE=str(tmp_path / "secret"),
        )
        assert message == (
            "set HAVEN_EVIDENCE_S3_SECRET_KEY or HAVEN_EVIDENCE_S3_SECRET_KEY_FILE, not both"
        )

    def test_password_file_with_a_password_in_the_url_is_refused(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        (tmp_path / "db").write_text("one")
        message = refusal(
            monkeypatch,
            DATABASE_URL="postgresql://haven:two@postgres/haven",
            HAVEN_DATABASE_PASSWORD_FILE=str(tmp_path / "db"),
        )
        assert "keep one" in message and "two" not in message.replace("keep one", "")

    def test_password_file_needs_a_database_url(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        (tmp_path / "db").write_text("one")
        message = refusal(monkeypatch, HAVEN_DATABASE_PASSWORD_FILE=str(tmp_path / "db"))
        assert message == "HAVEN_DATABASE_PASSWORD_FILE needs DATABASE_URL"


class TestPublicUrl:
    def test_follows_the_port(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("HAVEN_PORT", "9000")
        assert load_settings().public_url == "http://127.0.0.1:9000"

    def test_follows_the_host_with_every_interface_as_loopback(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("HAVEN_HOST", "0.0.0.0")
        assert load_settings().public_url == "http://127.0.0.1:8000"
        monkeypatch.setenv("HAVEN_HOST", "haven.internal")
        assert load_settings().public_url == "http://haven.internal:8000"
        monkeypatch.setenv("HAVEN_HOST", "::1")
        assert load_settings().public_url == "http://[::1]:8000"

    def test_follows_serve_options(self) -> None:
        assert load_settings(host="0.0.0.0", port=8123).public_url == "http://127.0.0.1:8123"

    def test_set_explicitly_it_wins(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("HAVEN_PORT", "9000")
        monkeypatch.setenv("HAVEN_PUBLIC_URL", "https://support.example.com")
        assert load_settings().public_url == "https://support.example.com"


def run_haven(*args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.upper().startswith("HAVEN_") and key not in ("DATABASE_URL", "REDIS_URL")
    }
    return subprocess.run(
        [str(HAVEN), *args],
        env={**inherited, **variables},
        capture_output=True,
        text=True,
        timeout=120,
    )


class TestAtTheCommandLine:
    @pytest.mark.parametrize(
        ("variables", "expected"),
        [
            ({"HAVEN_PORT": "abc"}, "HAVEN_PORT='abc': should be a whole number"),
            ({"HAVEN_PROT": "9000"}, "did you mean HAVEN_PORT?"),
            ({"DATABASE_URL": "localhost/haven"}, "DATABASE_URL is not a valid URL"),
            ({"HAVEN_ENV": "prod"}, "HAVEN_ENV='prod'"),
        ],
    )
    def test_one_line_on_stderr_and_exit_1_without_a_traceback(
        self, variables: dict[str, str], expected: str
    ) -> None:
        result = run_haven("migrate", **variables)
        assert result.returncode == 1
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        error = json.loads(lines[0])["error"]
        assert error["code"] == "CONFIGURATION_ERROR"
        assert expected in error["message"]


def test_an_http_embeddings_provider_needs_its_address_and_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HAVEN_EMBEDDINGS_PROVIDER", "http")
    monkeypatch.setenv("HAVEN_EMBEDDINGS_URL", "http://127.0.0.1:8080/v1")
    with pytest.raises(ConfigurationError) as refused:
        load_settings()
    assert "HAVEN_EMBEDDINGS_URL and HAVEN_EMBEDDINGS_MODEL" in str(refused.value)
    monkeypatch.setenv("HAVEN_EMBEDDINGS_MODEL", "nomic-embed-text")
    assert load_settings().embeddings_model == "nomic-embed-text"
