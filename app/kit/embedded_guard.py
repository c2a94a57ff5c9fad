"""Stops the embedded PostgreSQL once every process using it has gone, however they went.

A process that exits normally, or on SIGTERM or SIGINT, lets go of the server itself, and the
last one stops it. A process killed outright (SIGKILL, a crash, the OOM killer) cannot, and
PostgreSQL outlives its starter by design. So a small watcher runs beside the server:
`python -m app.kit.embedded_guard DATA_DIR`, one per data directory, in a session of its own (a
Ctrl-C at the terminal does not reach it). It stops the server when no process using it is left
alive, and exits when the server has stopped."""

import fcntl
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

from app.kit import postmaster

POLL_SECONDS = 1.0
LOCK_FILE = ".haven_guard.lock"


def watch(data_dir: Path, poll: float = POLL_SECONDS) -> None:
    while True:
        time.sleep(poll)
        if postmaster.postmaster(data_dir) is None:
            return
        if postmaster.live_handles(data_dir):
            continue
        with postmaster.lock():
            if postmaster.stop_if_unused(data_dir):
                return


def _sole_guard(data_dir: Path) -> IO[str] | None:
    """The guard's lock file, held; None when another guard holds it."""
    handle = (data_dir / LOCK_FILE).open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def spawn(data_dir: Path) -> subprocess.Popen[bytes] | None:
    """Start the guard for `data_dir`, unless one is already watching it."""
    probe = _sole_guard(data_dir)
    if probe is None:
        return None
    probe.close()  # the guard takes it; two starting at once settle it between themselves
    source_root = str(Path(__file__).resolve().parents[2])
    path = os.pathsep.join(filter(None, [source_root, os.environ.get("PYTHONPATH")]))
    # Its few lines go to the server's own log, where whoever wonders why it stopped looks.
    with (data_dir / "log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "app.kit.embedded_guard", str(data_dir)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            env={**os.environ, "PYTHONPATH": path},
            start_new_session=True,
        )


def main(argv: list[str]) -> None:
    data_dir = Path(argv[0]).resolve()
    held = _sole_guard(data_dir)
    if held is None:
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s haven guard %(message)s")
    watch(data_dir)


if __name__ == "__main__":
    main(sys.argv[1:])
