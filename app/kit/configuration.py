"""Configuration problems said in one line, where Haven's home is, and misspelled settings.

Nothing here imports the settings model, so the model can use it while it is being defined.
"""

import difflib
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import SettingsError
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from app.kit.errors import HavenError

HOME_FOLDER = ".haven"
POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+asyncpg")
EXAMPLE_DATABASE_URL = "postgresql://user:password@host:5432/database"
# Names whose values are never repeated back in an error message.
SECRET_WORDS = ("password", "secret", "private_key", "token", "database_url", "redis_url")


class ConfigurationError(HavenError):
    """A setting that is missing, malformed or contradicts another; the process cannot start."""

    code = "CONFIGURATION_ERROR"
    http_status = 500


def find_home(start: Path) -> Path | None:
    """The `.haven` folder of the project `start` is in: the nearest folder, from `start` up,
    that holds an existing `.haven/` or Haven's own `pyproject.toml`. None when there is none."""
    for folder in (start, *start.parents):
        if (folder / HOME_FOLDER).is_dir() or _is_haven_project(folder / "pyproject.toml"):
            return folder / HOME_FOLDER
    return None


def _is_haven_project(pyproject: Path) -> bool:
    try:
        return bool(tomllib.loads(pyproject.read_text())["project"]["name"] == "haven")
    except (OSError, ValueError, KeyError, TypeError):
        return False


def read_secret_file(variable: str, path: Path) -> str:
    """The contents of a `*_FILE` setting's file, less the trailing newline editors add."""
    try:
        return path.read_text().rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ConfigurationError(f"{variable}={path}: cannot read the file ({reason})") from None


def unknown_variables(
    environ: Mapping[str, str], prefix: str, known: Iterable[str]
) -> ConfigurationError | None:
    """An error naming every `prefix*` variable that is no setting, with the nearest real one
    for each, so a typo such as HAVEN_PROT=9000 is not silently ignored."""
    names = sorted({name.upper() for name in known})
    problems = []
    for variable in sorted(environ):
        upper = variable.upper()
        if not upper.startswith(prefix) or upper in names:
            continue
        nearest = difflib.get_close_matches(upper, names, n=1, cutoff=0.6)
        hint = f" (did you mean {nearest[0]}?)" if nearest else ""
        problems.append(f"{variable} is not a Haven setting{hint}")
    if not problems:
        return None
    return ConfigurationError("; ".join(problems) + "; see the README's Configure section")


def describe(error: ValidationError, variable_names: Mapping[str, str]) -> ConfigurationError:
    """One line for every invalid setting, named as it is set (HAVEN_PORT, DATABASE_URL)."""
    parts = []
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else ""
        variable = variable_names.get(field, field.upper())
        parts.append(f"{variable}{_shown(variable, problem.get('input'))}: {_reason(problem)}")
    return ConfigurationError("; ".join(parts))


def _shown(variable: str, value: Any) -> str:
    if not isinstance(value, str | int | float) or any(
        word in variable.lower() for word in SECRET_WORDS
    ):
        return ""
    return f"={value!r}"


def _reason(problem: Mapping[str, Any]) -> str:
    kind = problem["type"]
    if kind == "bool_parsing":
        return "should be true or false (or 1/0, yes/no, on/off)"
    if kind in ("int_parsing", "int_from_float"):
        return "should be a whole number"
    message = str(problem["msg"])
    return message.replace("Input should be", "should be").replace("Value error, ", "")


def describe_unparsable(
    error: SettingsError, variable_names: Mapping[str, str]
) -> ConfigurationError:
    """A list or mapping setting whose value is not the JSON it must be."""
    found = re.search(r'field "(\w+)"', str(error))
    field = found.group(1) if found else ""
    variable = variable_names.get(field, field.upper() or "a setting")
    return ConfigurationError(f'{variable}: should be JSON, e.g. {{"free": 200}} or ["a", "b"]')


def parse_database_url(url: str) -> URL:
    """DATABASE_URL parsed, or a ConfigurationError saying what is wrong (never the password)."""
    try:
        parsed = make_url(url)
        port = parsed.port
    except (ArgumentError, ValueError):
        raise ConfigurationError(
            f"DATABASE_URL is not a valid URL; expected {EXAMPLE_DATABASE_URL}"
        ) from None
    if parsed.drivername not in POSTGRES_SCHEMES:
        raise ConfigurationError(
            f"DATABASE_URL should be a PostgreSQL URL ({EXAMPLE_DATABASE_URL}), "
            f"not {parsed.drivername}://"
        )
    if not parsed.host and "host" not in parsed.query:
        raise ConfigurationError(f"DATABASE_URL names no host; expected {EXAMPLE_DATABASE_URL}")
    if port is not None and not 1 <= port <= 65535:
        raise ConfigurationError(f"DATABASE_URL has port {port}; ports run from 1 to 65535")
    return parsed


def with_password(url: str, password: str) -> str:
    """`url` with `password` in it, refusing a URL that already carries one."""
    parsed = parse_database_url(url)
    if parsed.password:
        raise ConfigurationError(
            "DATABASE_URL carries a password and HAVEN_DATABASE_PASSWORD_FILE is set; keep one"
        )
    return parsed.set(password=password).render_as_string(hide_password=False)


def database_location(url: str) -> str:
    """Where DATABASE_URL points, for messages: host, port and database, no credentials."""
    parsed = make_url(url)
    host = parsed.host or str(parsed.query.get("host", "local socket"))
    return f"{host}:{parsed.port or 5432}/{parsed.database or parsed.username or ''}"
