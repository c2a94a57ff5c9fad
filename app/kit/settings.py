from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration read from the environment (`HAVEN_*`, plus `DATABASE_URL`, `REDIS_URL`)."""

    model_config = SettingsConfigDict(env_prefix="HAVEN_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    home: Path = Path(".haven")
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    redis_url: str | None = Field(default=None, validation_alias="REDIS_URL")
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = "http://127.0.0.1:8000"

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
    evidence_s3_secret_key: str | None = None
    evidence_s3_secure: bool = True
    evidence_s3_region: str | None = None
    evidence_s3_bucket: str = "haven-evidence"
    # How long new evidence is retained (and, on S3, undeletable) unless a longer date is given.
    evidence_retention_days: int = Field(default=2555, ge=1)
    # The largest item `preserveEvidence` accepts, in bytes (before base64).
    evidence_max_bytes: int = Field(default=25 * 1024 * 1024, ge=1)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def rate_limiting(self) -> bool:
        if self.rate_limit_enabled is None:
            return self.env != "test"
        return self.rate_limit_enabled


@lru_cache
def get_settings() -> Settings:
    return Settings()
