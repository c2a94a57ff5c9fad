import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from app.kit.addresses import network_list
from app.kit.configuration import (
    HOME_FOLDER,
    ConfigurationError,
    describe,
    describe_unparsable,
    find_home,
    parse_database_url,
    read_secret_file,
    unknown_variables,
    with_password,
)


class Settings(BaseSettings):
    """Configuration read from the environment (`HAVEN_*`, plus `DATABASE_URL`, `REDIS_URL`)."""

    model_config = SettingsConfigDict(env_prefix="HAVEN_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    # Unset: the `.haven` folder of the project the command runs in (see `find_home`).
    home: Path = Field(default_factory=lambda: find_home(Path.cwd()) or Path(HOME_FOLDER))
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    # The password for DATABASE_URL, read from a file (a container secret) rather than the URL.
    database_password_file: Path | None = None
    redis_url: str | None = Field(default=None, validation_alias="REDIS_URL")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # Base of the links Haven hands out; unset, it follows `host` and `port`.
    public_url: str = ""
    # Reverse proxies (addresses or CIDR networks, comma-separated or a JSON list) whose
    # X-Forwarded-For and X-Forwarded-Proto are believed; from any other peer they are ignored,
    # so a client cannot pick the address its limits and custody records go by.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)

    jwt_issuer: str = "haven"
    jwt_audience: str = "haven-api"
    # PEM of the signing key (or a file holding it, for container secrets); when neither is set
    # a key is generated once under `home/keys`.
    jwt_private_key: str | None = None
    jwt_private_key_file: Path | None = None
    # Base64 of 32 bytes (or a file holding it) sealing stored secrets and signing links; when
    # neither is set a key is generated once under `home/keys`.
    secret_key: str | None = None
    secret_key_file: Path | None = None
    access_token_seconds: int = 3600
    refresh_token_seconds: int = 30 * 24 * 3600

    # Run scheduled jobs inside `haven serve` (the default for one-process installs).
    inline_worker: bool = True
    db_pool_size: int = 10
    max_subscriptions_per_connection: int = 20
    # How far back a subscriber can resume with `after`; older cursors get RESYNC_REQUIRED.
    event_retention_days: int = 7
    graphql_max_depth: int = 10
    graphql_max_aliases: int = 30
    graphql_max_tokens: int = 2000
    # The largest body /graphql reads, in bytes; larger ones are refused (413) unread.
    graphql_max_body_bytes: int = Field(default=1024 * 1024, ge=1)

    # Unset: on, except under `env=test`, where suites drive one key far past any plan's limit
    # (tests of the limits turn it on).
    rate_limit_enabled: bool | None = None
    # Requests per minute per API key (or signed-in user) by plan name, over the plan table in
    # app/ratelimit/policy.py: {"free": 100} raises only the free plan's limit.
    rate_limits_per_minute: dict[str, int] = Field(default_factory=dict)
    # GraphQL cost units per minute, as a multiple of the plan's request limit. The board page's
    # load of 100 tickets costs about 1,000 units, so a free key can load it ~6 times a minute.
    rate_limit_cost_factor: int = 100
    rate_limit_webhooks_per_minute: int = 500
    # Unauthenticated report and intake endpoints, per client IP.
    rate_limit_public_per_minute: int = 10
    # Requests without valid credentials (sign-in attempts, wrong keys), per client address.
    rate_limit_anonymous_per_minute: int = 30
    # Tickets filed through one intake form per minute, from all addresses together: a cap on
    # what a botnet can pour into one tenant's queue.
    rate_limit_intake_form_per_minute: int = 20
    # Portal lookups per email address per hour; past it the answer is unchanged but no mail
    # is sent, so nobody can flood an inbox through the portal.
    rate_limit_lookup_per_email_per_hour: int = 5

    # Outbound mail (portal links, submission receipts). With no SMTP host, messages are
    # written as .eml files under `home/outbox/` instead, for development.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_password_file: Path | None = None
    smtp_starttls: bool = True
    smtp_timeout_seconds: float = 10.0
    smtp_from: str = "Haven <no-reply@localhost>"
    # How long a portal lookup link, mailed to a requester, keeps working.
    portal_lookup_minutes: int = 30
    # How long a credential's (plan, identity) is reused before it is looked up again.
    rate_limit_identity_seconds: float = 5.0

    # Evidence storage. "local": write-once files under `home/evidence` (tamper-evident, not
    # tamper-proof). "s3": an S3-compatible bucket (AWS S3, MinIO) with Object Lock, where every
    # object is kept in COMPLIANCE mode; the bucket is created with Object Lock when missing, and
    # an existing bucket without it is refused.
    evidence_store: Literal["local", "s3"] = "local"
    # host[:port] of the S3 API, without a scheme (e.g. "s3.eu-west-2.amazonaws.com").
    evidence_s3_endpoint: str | None = None
    evidence_s3_access_key: str | None = None
    evidence_s3_access_key_file: Path | None = None
    evidence_s3_secret_key: str | None = None
    evidence_s3_secret_key_file: Path | None = None
    evidence_s3_secure: bool = True
    evidence_s3_region: str | None = None
    evidence_s3_bucket: str = "haven-evidence"
    # How long new evidence is retained (and, on S3, undeletable) unless a longer date is given.
    evidence_retention_days: int = Field(default=2555, ge=1)
    # The largest item `preserveEvidence` accepts, in bytes (before base64).
    evidence_max_bytes: int = Field(default=25 * 1024 * 1024, ge=1)

    # Knowledge search embeddings. "local": WordLlama's 256-dimension vectors, computed in
    # process from weights shipped in the package (no network). "http": an OpenAI-compatible
    # `POST {embeddings_url}/embeddings` service (a hosted API or a local embedding server).
    embeddings_provider: Literal["local", "http"] = "local"
    embeddings_url: str | None = None
    embeddings_model: str | None = None
    embeddings_api_key: str | None = None
    embeddings_api_key_file: Path | None = None
    embeddings_timeout_seconds: float = Field(default=30.0, gt=0)

    # AI triage, drafts and procedures. "local" (the default without a key): deterministic
    # classical methods in process, no network. "anthropic": Claude through the Messages API;
    # "auto" picks it when an API key is set.
    ai_provider: Literal["auto", "local", "anthropic"] = "auto"
    ai_model: str = "claude-sonnet-4-5"
    anthropic_api_key: str | None = None
    anthropic_api_key_file: Path | None = None
    # Another Messages API endpoint (a gateway or proxy); unset, Anthropic's own.
    anthropic_base_url: str | None = None
    ai_timeout_seconds: float = Field(default=60.0, gt=0)
    # Attempts after the first on 429, 529 and 5xx, waiting as `retry-after` asks or backing off.
    ai_max_retries: int = Field(default=3, ge=0, le=10)

    # Hosts and networks (comma-separated or a JSON list) that calls to addresses a tenant gave
    # (webhook endpoints, platform actions) may reach although they are not public: an internal
    # system, on purpose. Everything else must be a public address (and HTTPS in production).
    outbound_allow: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # Logs: "json" (one object a line) or "text"; unset means json in production, else text.
    log_format: Literal["json", "text"] | None = None
    # Level of Haven's own loggers; libraries log from WARNING up.
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Bearer token that `/metrics` requires; unset, `/metrics` answers 404.
    metrics_token: str | None = Field(default=None, min_length=16)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        return network_list(value)

    @field_validator("outbound_allow", mode="before")
    @classmethod
    def _allow_list(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            items = json.loads(text) if text.startswith("[") else text.split(",")
            return [str(item).strip() for item in items if str(item).strip()]
        return value

    @field_validator("metrics_token", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        if not value:
            return None  # DATABASE_URL= (empty) leaves the embedded server in charge
        parse_database_url(value)
        return value

    @model_validator(mode="after")
    def _derived(self) -> "Settings":
        self._read_secret_files()
        if self.database_password_file:
            if not self.database_url:
                raise ConfigurationError("HAVEN_DATABASE_PASSWORD_FILE needs DATABASE_URL")
            password = read_secret_file("HAVEN_DATABASE_PASSWORD_FILE", self.database_password_file)
            self.database_url = with_password(self.database_url, password)
        if self.embeddings_provider == "http" and not (
            self.embeddings_url and self.embeddings_model
        ):
            raise ConfigurationError(
                "HAVEN_EMBEDDINGS_PROVIDER=http needs HAVEN_EMBEDDINGS_URL and "
                "HAVEN_EMBEDDINGS_MODEL"
            )
        if self.ai_provider == "anthropic" and not self.anthropic_api_key:
            raise ConfigurationError(
                "HAVEN_AI_PROVIDER=anthropic needs HAVEN_ANTHROPIC_API_KEY or its _FILE"
            )
        if not self.public_url:
            self.public_url = f"http://{link_host(self.host)}:{self.port}"
        elif not self.public_url.startswith(("http://", "https://")):
            raise ConfigurationError(
                f"HAVEN_PUBLIC_URL={self.public_url!r}: should start with http:// or https://"
            )
        return self

    def _read_secret_files(self) -> None:
        """Fill each secret from its `*_file` sibling (for container secrets), refusing both."""
        names = variable_names()
        for name in type(self).model_fields:
            secret = name.removesuffix("_file")
            path = getattr(self, name)
            if secret == name or secret not in type(self).model_fields or path is None:
                continue
            if getattr(self, secret):
                raise ConfigurationError(f"set {names[secret]} or {names[name]}, not both")
            setattr(self, secret, read_secret_file(names[name], path))

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def rate_limiting(self) -> bool:
        if self.rate_limit_enabled is None:
            return self.env != "test"
        return self.rate_limit_enabled


def link_host(host: str) -> str:
    """The host to put in links to a server listening on `host`."""
    # 0.0.0.0 and :: mean "every interface", which no browser can open; loopback reaches the
    # server from the machine it runs on. Anything else needs HAVEN_PUBLIC_URL.
    if host in ("", "0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def variable_names() -> dict[str, str]:
    """Each setting's environment variable, read off the model so it never goes stale."""
    prefix = Settings.model_config.get("env_prefix") or ""
    return {
        name: field.validation_alias
        if isinstance(field.validation_alias, str)
        else f"{prefix}{name}".upper()
        for name, field in Settings.model_fields.items()
    }


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment (`overrides` win, as command-line options do). Any
    problem, a misspelled HAVEN_* variable included, is a ConfigurationError in one line."""
    prefix = str(Settings.model_config.get("env_prefix") or "").upper()
    unknown = unknown_variables(os.environ, prefix, variable_names().values())
    if unknown:
        raise unknown
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise describe(error, variable_names()) from None
    except SettingsError as error:
        raise describe_unparsable(error, variable_names()) from None


@lru_cache
def get_settings() -> Settings:
    return load_settings()
