"""Running the web interface: waitress, a pure-Python multi-threaded WSGI server (many searches
at once; no compiler needed), bound to 127.0.0.1 unless told otherwise.

Slow or hostile clients cannot hold it: a request body over the app's cap is refused (413) as soon
as its headers say so; a connection must send each whole request within REQUEST_SECONDS of its
first byte (a client trickling a header line every few seconds is closed), an idle one is closed
after IDLE_SECONDS, and up to CONNECTION_LIMIT connections are open at once (poll(), not select(),
so more than 1,024 descriptors are fine)."""

from __future__ import annotations

import contextlib
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

from ..errors import BadInput
from . import DEFAULT_PORT
from .app import MAX_BODY, create_app
from .guards import AllowedHosts, is_loopback

DEFAULT_HOST = "127.0.0.1"
THREADS = 16
CONNECTION_LIMIT = 500
REQUEST_SECONDS = 30.0  # to send one whole request, headers and body, from its first byte
IDLE_SECONDS = 60  # a kept-alive connection that sends nothing
MAX_HEADERS = 64 * 1024


class DeadlineChannel(HTTPChannel):
    """waitress's connection, closed when a request is not received whole within REQUEST_SECONDS
    of its first byte (waitress's own timeout counts from the last byte, so a header line every
    few seconds would keep a connection, and with enough of them the server, forever)."""

    request_started = 0.0

    def received(self, data: bytes) -> bool:
        if self.request is None:
            self.request_started = time.monotonic()
        return super().received(data)

    def readable(self) -> bool:
        if self.request is not None and time.monotonic() - self.request_started > REQUEST_SECONDS:
            self.will_close = True  # closed on the loop's next turn
        return super().readable()


def _server_options(trusted_proxy: str | None) -> dict[str, object]:
    """waitress's options: the limits above, and X-Forwarded-Proto believed from ``trusted_proxy`` only."""
    options: dict[str, object] = {
        "threads": THREADS,
        "ident": "pqcheck",
        "connection_limit": CONNECTION_LIMIT,
        "channel_timeout": IDLE_SECONDS,
        "cleanup_interval": 10,
        "max_request_header_size": MAX_HEADERS,
        "max_request_body_size": MAX_BODY,
        "asyncore_use_poll": True,
        "clear_untrusted_proxy_headers": True,
    }
    if trusted_proxy:
        options.update(trusted_proxy=trusted_proxy, trusted_proxy_headers={"x-forwarded-proto"})
    return options


@dataclass
class Running:
    server: object  # the waitress server
    url: str
    token: str | None
    app: Flask | None = None  # the Flask app served
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
    db_path: str | Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    token: str | None = None,
    allow_hosts: Iterable[str] = (),
    trusted_proxy: str | None = None,
    cache_dir: str | Path | None = None,
) -> Running:
    """The server for ``db_path``, bound and ready to ``run()``. Bound to another address than
    loopback, recording verdicts needs a token: ``token``, or a new random one. It answers requests
    for the names of ``host`` and ``allow_hosts`` only (see :class:`.guards.AllowedHosts`);
    ``trusted_proxy`` is the address of a TLS proxy whose X-Forwarded-Proto is believed; documents'
    original files are served from ``cache_dir`` (by default the cache beside the database)."""
    if not Path(db_path).is_file():
        raise BadInput(f"no database at {db_path}: run 'pqcheck demo' or a fetch first")
    token = token.strip() if token else None  # an empty --token is no token, not an empty one
    if not token and not is_loopback(host):
        token = secrets.token_urlsafe(18)
    allow_hosts = tuple(allow_hosts)
    AllowedHosts.for_server(host, port, allow_hosts)  # a bad --allow-host refused before binding
    app = create_app(db_path, token=token, cache_dir=cache_dir)
    try:
        server = create_server(app, host=host, port=port, **_server_options(trusted_proxy))
    except (OSError, ValueError) as exc:  # ValueError: waitress's "Invalid host/port specified."
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not an address of this machine"
        raise BadInput(f"cannot listen on {host}:{port}: {reason}") from exc
    _use_deadlines(server)
    bound_port = _port_of(server)
    app.config["HOSTS"] = AllowedHosts.for_server(host, bound_port, allow_hosts)
    shown = f"[{host}]" if ":" in host else host
    return Running(server=server, url=f"http://{shown}:{bound_port}/", token=token, app=app)


def _use_deadlines(server: object) -> None:
    """Make ``server`` (each listener of a MultiSocketServer) accept DeadlineChannel connections."""
    listeners = server.map.values() if isinstance(server, MultiSocketServer) else [server]
    for listener in listeners:
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = DeadlineChannel


def _port_of(server: object) -> int:
    """The port listened on. A name that resolves to several addresses (``localhost`` as 127.0.0.1
    and ::1) gives a waitress MultiSocketServer, which has no ``effective_port``: its first socket's."""
    port = getattr(server, "effective_port", None)
    if port is None:
        port = server.effective_listen[0][1]
    return int(port)


def serve(
    db_path: str | Path,
    host: str,
    port: int,
    token: str | None,
    echo: Callable[[str], None],
    *,
    allow_hosts: Iterable[str] = (),
    trusted_proxy: str | None = None,
    cache_dir: str | Path | None = None,
) -> None:
    """Serve until interrupted, saying where (and the token, when one is needed)."""
    running = make_server(
        db_path, host, port, token=token, allow_hosts=allow_hosts, trusted_proxy=trusted_proxy, cache_dir=cache_dir
    )
    echo(f"pqcheck is serving {db_path} at {running.url}  (Ctrl-C stops it)")
    if running.token:
        echo(f"Recording a verdict needs this token: {running.token}")
    running.run()
