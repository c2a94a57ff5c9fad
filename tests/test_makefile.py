"""`make run` installs what running needs, `make test` the dev extra too, each only when due.

Run in a scratch copy of the Makefile whose virtualenv holds stand-ins that record what they
were asked to do, so nothing is installed or served."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RECORDER = '#!/bin/sh\necho "$(basename "$0") $*" >> "$(dirname "$0")/../calls.log"\n'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    if shutil.which("make") is None:
        pytest.skip("needs make")
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for tool in ("python", "pip", "haven", "pytest", "ruff", "mypy", "lint-imports"):
        (bin_dir / tool).write_text(RECORDER)
        (bin_dir / tool).chmod(0o755)
    return tmp_path


def make(project: Path, target: str) -> list[str]:
    """The installs and commands one `make target` ran."""
    log = project / ".venv" / "calls.log"
    log.unlink(missing_ok=True)
    # PYTHON=false: the stand-in virtualenv exists, so no new one may be made.
    done = subprocess.run(
        ["make", "-s", target, "PYTHON=false"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    calls = log.read_text().splitlines() if log.exists() else []
    return [call for call in calls if not call.startswith("pip install --quiet --upgrade pip")]


def installs(calls: list[str]) -> list[str]:
    return [call for call in calls if call.startswith("pip install")]


def test_run_installs_only_what_running_needs_and_only_once(project: Path) -> None:
    assert make(project, "run") == ["pip install --quiet -e .", "haven serve --demo"]
    assert make(project, "run") == ["haven serve --demo"]


def test_test_after_run_upgrades_to_the_dev_extra(project: Path) -> None:
    make(project, "run")
    assert installs(make(project, "test")) == ["pip install --quiet -e .[dev]"]
    assert installs(make(project, "test")) == []
    assert make(project, "run") == ["haven serve --demo"]


def test_run_after_test_installs_nothing_more(project: Path) -> None:
    assert installs(make(project, "test")) == ["pip install --quiet -e .[dev]"]
    assert make(project, "run") == ["haven serve --demo"]


def test_changed_pyproject_reinstalls_each_kind_once(project: Path) -> None:
    make(project, "test")
    with (project / "pyproject.toml").open("a") as pyproject:
        pyproject.write("\n# changed\n")
    assert installs(make(project, "run")) == ["pip install --quiet -e ."]
    assert installs(make(project, "test")) == ["pip install --quiet -e .[dev]"]
    assert installs(make(project, "run")) == []
    stamps = sorted(path.name for path in (project / ".venv").glob(".installed-*"))
    assert len(stamps) == 2 and stamps[0].startswith(".installed-dev-")
