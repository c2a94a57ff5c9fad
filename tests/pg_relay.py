"""A loopback TCP relay in front of a PostgreSQL Unix socket, to do to one client's connections
what a network can: cut them and refuse new ones, or let them fall silent without a reset.

Only the client under test connects through it; everything else reaches the server directly."""

import asyncio
import contextlib
from dataclasses import dataclass, field

HOST = "127.0.0.1"
CHUNK = 65536


@dataclass(eq=False)
class Pipe:
    """One relayed connection: bytes copied both ways until either side closes."""

    client: asyncio.StreamWriter
    server: asyncio.StreamWriter
    silent: bool = False  # bytes are read and dropped, as by a route gone dead
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def copy(self, source: asyncio.StreamReader, target: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(CHUNK):
                if not self.silent:
                    target.write(data)
                    await target.drain()
        except OSError:
            pass
        finally:
            self.close()

    def close(self) -> None:
        for writer in (self.client, self.server):
            writer.close()


@dataclass
class Relay:
    socket_path: str
    database: str
    # What happens to a new connection: relayed, closed at once, or accepted and never answered.
    mode: str = "relay"
    pipes: set[Pipe] = field(default_factory=set)
    held: set[asyncio.StreamWriter] = field(default_factory=set)
    server: asyncio.Server | None = None

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._accept, HOST, 0)

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return f"postgresql://postgres@{HOST}:{port}/{self.database}"

    def cut(self) -> None:
        """Close every relayed connection and refuse new ones, as a server gone away would."""
        self.mode = "refuse"
        for pipe in list(self.pipes):
            pipe.close()

    def restore(self) -> None:
        """Relay new connections again."""
        self.mode = "relay"

    def stop_answering(self) -> None:
        """Accept new connections and then say nothing, as a host that drops packets would."""
        self.mode = "unanswered"

    def silence(self) -> None:
        """Let the current connections fall silent, without a reset; new ones still work."""
        for pipe in self.pipes:
            pipe.silent = True

    async def close(self) -> None:
        for pipe in list(self.pipes):
            pipe.close()
        for writer in self.held:
            writer.close()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.mode == "refuse":
            writer.close()
            return
        if self.mode == "unanswered":
            self.held.add(writer)  # open until the client gives up or the relay closes
            return
        try:
            upstream, upstream_writer = await asyncio.open_unix_connection(self.socket_path)
        except OSError:
            writer.close()
            return
        pipe = Pipe(writer, upstream_writer)
        self.pipes.add(pipe)
        pipe.tasks = [
            asyncio.create_task(pipe.copy(reader, upstream_writer)),
            asyncio.create_task(pipe.copy(upstream, writer)),
        ]
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*pipe.tasks)
        self.pipes.discard(pipe)
