"""Apply Alembic migrations programmatically (for `haven migrate`, `haven serve` and tests)."""

from pathlib import Path

from alembic import command
from alembic.config import Config

from app.kit.db import normalise_url

ROOT = Path(__file__).resolve().parents[2]


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)
