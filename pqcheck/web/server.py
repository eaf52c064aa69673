"""Running the web interface: waitress, a pure-Python multi-threaded WSGI server (many searches
at once; no compiler needed), bound to 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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

    def run(self) -> None:
        self.server.run()

    def close(self) -> None:
        self.server.close()


def make_server(
    db_path: str | Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, token: str | None = None
) -> Running:
    """The server for ``db_path``, bound and ready to ``run()``. Bound to another address than
    loopback, recording verdicts needs a token: ``token``, or a new random one."""
    if not Path(db_path).is_file():
        raise BadInput(f"no database at {db_path}: run 'pqcheck demo' or a fetch first")
    if token is None and not is_loopback(host):
        token = secrets.token_urlsafe(18)
    app = create_app(db_path, token=token)
    try:
        server = create_server(
            app, host=host, port=port, threads=THREADS, ident="pqcheck", clear_untrusted_proxy_headers=True
        )
    except OSError as exc:
        raise BadInput(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    shown = f"[{host}]" if ":" in host else host
    return Running(server=server, url=f"http://{shown}:{server.effective_port}/", token=token)


def serve(db_path: str | Path, host: str, port: int, token: str | None, echo: Callable[[str], None]) -> None:
    """Serve until interrupted, saying where (and the token, when one is needed)."""
    running = make_server(db_path, host, port, token=token)
    echo(f"pqcheck is serving {db_path} at {running.url}  (Ctrl-C stops it)")
    if running.token:
        echo(f"Recording a verdict needs this token: {running.token}")
    running.run()
