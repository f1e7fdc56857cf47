"""The shipped proxy (deploy/nginx/nginx.conf) in front of several web replicas, as
compose.yaml runs it with `--scale web=3`: it shares requests out among every address DNS
gives for web, and follows replicas that come and go without a restart.

`server ... resolve` needs nginx 1.27.3 or later, which Debian's package (1.22) is not: the
test runs with a newer binary named by PORTAL_NGINX (or on PATH), and is skipped otherwise.
A DNS server of the test's own stands for Docker's (127.0.0.11)."""

import os
import re
import shutil
import socket
import socketserver
import ssl
import struct
import subprocess
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchmarks import harness
from drills import _proxy

REPLICAS = ("127.0.0.2", "127.0.0.3", "127.0.0.4")


def new_enough_nginx():
    binary = os.environ.get("PORTAL_NGINX") or shutil.which("nginx")
    if not binary:
        return None
    said = subprocess.run([binary, "-v"], capture_output=True, text=True).stderr
    found = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", said)
    return binary if found and tuple(map(int, found.groups())) >= (1, 27, 3) else None


NGINX = new_enough_nginx()
pytestmark = pytest.mark.skipif(
    NGINX is None, reason="needs nginx 1.27.3 or later (PORTAL_NGINX=/path/to/nginx)"
)


class Resolver(socketserver.ThreadingUDPServer):
    """Answers A queries for "web" with the addresses in `self.web`, like Docker's DNS with
    one address per replica; any other name does not exist."""

    def __init__(self):
        self.web = []
        resolver = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                query, sock = self.request
                end = 12
                labels = []
                while query[end]:
                    labels.append(query[end + 1 : end + 1 + query[end]])
                    end += query[end] + 1
                question = query[12 : end + 5]
                qtype = struct.unpack("!H", question[-4:-2])[0]
                known = labels == [b"web"]
                addresses = list(resolver.web) if known and qtype == 1 else []
                header = struct.pack(
                    "!HHHHHH", struct.unpack("!H", query[:2])[0],
                    0x8180 if known else 0x8183, 1, len(addresses), 0, 0,
                )  # fmt: skip
                answers = b"".join(
                    b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 1, 4) + socket.inet_aton(address)
                    for address in addresses
                )
                sock.sendto(header + question + answers, self.client_address)

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


class Replica(ThreadingHTTPServer):
    """A web replica on its own address: counts the requests it gets."""

    def __init__(self, address, port):
        self.count = 0
        replica = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                replica.count += 1
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        super().__init__((address, port), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


@pytest.fixture
def stack():
    port = harness.free_port()
    resolver = Resolver()
    replicas = {address: Replica(address, port) for address in REPLICAS}
    proxy = _proxy.Proxy(
        upstream_port=port,
        extra={
            "server web:8000 resolve;": f"server web:{port} resolve;",
            "resolver 127.0.0.11 valid=10s": (
                f"resolver 127.0.0.1:{resolver.server_address[1]} valid=1s"
            ),
            "worker_processes auto;": "worker_processes 1;",
        },
    )
    proxy.binary = NGINX
    resolver.web = list(REPLICAS[:2])
    try:
        yield resolver, replicas, proxy.start()
    finally:
        proxy.close()
        resolver.shutdown()
        resolver.server_close()
        for replica in replicas.values():
            replica.shutdown()
            replica.server_close()


def requests(proxy, replicas, number):
    """Sends `number` requests through the proxy; how many each replica got."""
    for replica in replicas.values():
        replica.count = 0
    context = ssl.create_default_context(cafile=str(proxy.certificate))
    for _ in range(number):
        # The proxy's own https address on 127.0.0.1.
        address = f"{proxy.base}/"
        with urllib.request.urlopen(address, context=context, timeout=10) as answer:  # noqa: S310
            assert answer.status == 200
    return {address: replica.count for address, replica in replicas.items()}


def until(condition, proxy, replicas, number):
    """Requests in rounds until a round's counts meet `condition` (the resolver's answer is
    kept 1 s); the last round's counts."""
    for _ in range(60):
        counts = requests(proxy, replicas, number)
        if condition(counts):
            return counts
        time.sleep(0.5)
    return counts


def test_requests_are_shared_among_every_replica_as_they_come_and_go(stack):
    resolver, replicas, proxy = stack
    first, second, third = REPLICAS

    assert requests(proxy, replicas, 60) == {first: 30, second: 30, third: 0}

    resolver.web.append(third)  # docker compose up --scale web=3
    assert until(lambda counts: counts[third], proxy, replicas, 9)[third]
    # Once seen, the next round is shared out evenly among the three.
    assert requests(proxy, replicas, 90) == {first: 30, second: 30, third: 30}

    resolver.web.remove(first)  # a replica stopped
    assert until(lambda counts: not counts[first], proxy, replicas, 9)[first] == 0
    assert requests(proxy, replicas, 60) == {first: 0, second: 30, third: 30}
