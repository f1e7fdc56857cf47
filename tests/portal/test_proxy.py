"""The shipped reverse proxy (deploy/nginx/nginx.conf): it reads a request whole before the
portal sees it, refuses only bodies the portal's own limits would not have read, and logs no
client. The behaviour is checked against Debian's nginx when it is installed
(drills/slow_clients.py installs it); the file's content is checked everywhere."""

import re
import shutil
import socket
import socketserver
import ssl
import threading
from pathlib import Path

from django.conf import settings

import pytest

from drills import _proxy

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "nginx" / "nginx.conf"

needs_nginx = pytest.mark.skipif(
    not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()), reason="nginx not installed"
)


def directives(name):
    """The values of every `name ...;` directive in the shipped file, comments left out."""
    text = "\n".join(line.split("#", 1)[0] for line in CONFIG.read_text().splitlines())
    return [value.strip() for value in re.findall(rf"(?m)^\s*{name}\s+([^;]*);", text)]


def megabytes(value):
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    return int(value[:-1]) * units[value[-1].lower()] if value[-1].isalpha() else int(value)


def test_the_body_limit_lets_through_every_report_the_portal_reads():
    """A report of every file the portal keeps and its text fields reaches the portal (which
    names the files over its limits and keeps the text); the proxy refuses only what is well
    past it."""
    (limit,) = directives("client_max_body_size")
    largest_report = settings.EVIDENCE_MAX_TOTAL_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert largest_report < megabytes(limit) <= largest_report * 1.1


def test_bodies_are_read_whole_with_timeouts():
    assert directives("proxy_request_buffering") == ["on"]
    for name in ("client_header_timeout", "client_body_timeout", "send_timeout"):
        (value,) = directives(name)
        assert 0 < int(value.rstrip("s")) <= 30


def test_no_log_names_the_client():
    formats = " ".join(directives("log_format"))
    for variable in ("$remote_addr", "$binary_remote_addr", "$http_x_forwarded_for",
                     "$proxy_add_x_forwarded_for", "$http_user_agent", "$http_referer",
                     "$request_uri", "$args", "$request "):  # fmt: skip
        assert variable not in formats
    assert directives("access_log") == ["/dev/stdout portal"]
    # Every error-log line names the client; "crit" leaves only nginx's own failures.
    assert [value.split()[-1] for value in directives("error_log")] == ["crit"]


class Upstream(socketserver.ThreadingTCPServer):
    """The portal's place: notes each request as it arrives and answers 200."""

    daemon_threads = True

    def __init__(self):
        self.received = []
        upstream = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                head = b""
                while not head.endswith(b"\r\n\r\n") and (line := self.rfile.readline()):
                    head += line
                # Noted as soon as the head arrives, its body's length once it is read.
                upstream.received.append((head.split(b" ", 1)[0].decode(), None))
                length = re.search(rb"(?i)content-length: *(\d+)", head)
                body = self.rfile.read(int(length.group(1))) if length else b""
                upstream.received[-1] = (upstream.received[-1][0], len(body))
                self.wfile.write(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                )

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


def answer(sock):
    data = b""
    while b"\r\n\r\n" not in data and (chunk := sock.recv(4096)):
        data += chunk
    return data.split(b"\r\n", 1)[0]


@needs_nginx
def test_the_configuration_is_valid_nginx():
    proxy = _proxy.Proxy(upstream_port=9)
    try:
        passed, said = proxy.test()
    finally:
        proxy.close()
    assert passed, said


@needs_nginx
def test_the_portal_sees_a_request_only_once_its_body_is_whole():
    upstream = Upstream()
    # One nginx worker: the half-sent body is read before the request sent after it.
    with _proxy.serving_proxy(
        upstream.server_address[1], extra={"worker_processes auto;": "worker_processes 1;"}
    ) as proxy:
        context = ssl.create_default_context(cafile=str(proxy.certificate))

        def connect():
            raw = socket.create_connection(("127.0.0.1", proxy.https_port), timeout=10)
            return context.wrap_socket(raw, server_hostname="127.0.0.1")

        body = b"x" * 200_000
        with connect() as slow:
            slow.sendall(
                b"POST /report/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body[:100_000]
            )
            with connect() as other:
                other.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                assert answer(other) == b"HTTP/1.1 200 OK"
            assert upstream.received == [("GET", 0)]

            slow.sendall(body[100_000:])
            assert answer(slow) == b"HTTP/1.1 200 OK"
        assert upstream.received == [("GET", 0), ("POST", len(body))]
    upstream.shutdown()
    upstream.server_close()


@needs_nginx
def test_the_public_side_never_offers_the_metrics():
    """/metrics is scraped from each web container (docs/operations.md); through the proxy
    it is refused before the portal hears of it, whatever the request carries."""
    upstream = Upstream()
    with _proxy.serving_proxy(upstream.server_address[1]) as proxy:
        context = ssl.create_default_context(cafile=str(proxy.certificate))
        for path, expected in [("/metrics", b"HTTP/1.1 404 Not Found"), ("/", b"HTTP/1.1 200 OK")]:
            raw = socket.create_connection(("127.0.0.1", proxy.https_port), timeout=10)
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
                sock.sendall(
                    f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer x\r\n"
                    "Connection: close\r\n\r\n".encode()
                )
                assert answer(sock) == expected
        assert upstream.received == [("GET", 0)]
    upstream.shutdown()
    upstream.server_close()
