"""Running the web interface: waitress, a pure-Python multi-threaded WSGI server (many searches
at once; no compiler needed), bound to 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import contextlib
import ipaddress
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from waitress import wasyncore
from waitress.server import create_server

from ..errors import BadInput
from .app import create_app

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001
THREADS = 16


def is_loopback(host: str) -> bool:
    """Only this machine can reach ``host``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Running:
    server: object  # the waitress server
    url: str
    token: str | None
    _serving: threading.Event = field(default_factory=threading.Event, repr=False)

    def run(self) -> None:
        self._serving.set()
        self.server.run()

    def close(self) -> None:
        """Stop: close the listening socket and every open connection, end the worker threads, and
        let a ``run()`` in another thread return. (waitress's own ``close()`` closes only the
        listening socket and the wake-up pipe, from the calling thread: the loop then crashes on
        the closed descriptors, or goes on serving kept-alive connections, with 16 idle workers.)

        The connections are closed in the serving thread, between two polls (a thunk passed through
        waitress's trigger); the trigger itself is closed last, once no thread can still use it."""
        server = self.server
        sockets = getattr(server, "_map", None)
        trigger = getattr(server, "trigger", None)
        if sockets is None or trigger is None:  # a MultiSocketServer (several addresses) does it all
            server.close()
            return
        stopped = threading.Event()

        def stop() -> None:
            for dispatcher in list(sockets.values()):
                if dispatcher is trigger:
                    continue
                with contextlib.suppress(OSError):
                    if dispatcher is server:  # its own close() would close the trigger too
                        wasyncore.dispatcher.close(server)
                    else:
                        dispatcher.close()
            sockets.clear()  # the loop ends when its map is empty
            stopped.set()

        if self._serving.is_set() and not trigger._closed:
            trigger.pull_trigger(stop)
            stopped.wait(5)
        if not stopped.is_set():  # not running (or stuck): close from here
            stop()
        server.task_dispatcher.shutdown(timeout=5)  # a worker may still pull the trigger until then
        trigger.close()


def make_server(
    db_path: str | Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, token: str | None = None
) -> Running:
    """The server for ``db_path``, bound and ready to ``run()``. Bound to another address than
    loopback, recording verdicts needs a token: ``token``, or a new random one."""
    if not Path(db_path).is_file():
        raise BadInput(f"no database at {db_path}: run 'pqcheck demo' or a fetch first")
    token = token.strip() if token else None  # an empty --token is no token, not an empty one
    if not token and not is_loopback(host):
        token = secrets.token_urlsafe(18)
    app = create_app(db_path, token=token)
    try:
        server = create_server(
            app, host=host, port=port, threads=THREADS, ident="pqcheck", clear_untrusted_proxy_headers=True
        )
    except OSError as exc:
        raise BadInput(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    shown = f"[{host}]" if ":" in host else host
    return Running(server=server, url=f"http://{shown}:{_port_of(server)}/", token=token)


def _port_of(server: object) -> int:
    """The port listened on. A name that resolves to several addresses (``localhost`` as 127.0.0.1
    and ::1) gives a waitress MultiSocketServer, which has no ``effective_port``: its first socket's."""
    port = getattr(server, "effective_port", None)
    if port is None:
        port = server.effective_listen[0][1]
    return int(port)


def serve(db_path: str | Path, host: str, port: int, token: str | None, echo: Callable[[str], None]) -> None:
    """Serve until interrupted, saying where (and the token, when one is needed)."""
    running = make_server(db_path, host, port, token=token)
    echo(f"pqcheck is serving {db_path} at {running.url}  (Ctrl-C stops it)")
    if running.token:
        echo(f"Recording a verdict needs this token: {running.token}")
    running.run()
