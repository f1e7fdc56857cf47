"""The shipped reverse proxy (deploy/nginx/nginx.conf) run on 127.0.0.1, in front of a
gunicorn the drill started: the same file, with only its addresses and paths moved to a
temporary folder, and a self-signed certificate for 127.0.0.1 made for the run.

nginx is Debian's package, installed when missing and we are root (as benchmarks/pages.py
installs wrk). Run as root, nginx's workers run as `nobody`, so the folder is made readable to
them.
"""

import datetime
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from benchmarks import harness

CONFIG = harness.ROOT / "deploy" / "nginx" / "nginx.conf"
READY_SECONDS = 30


def ensure_nginx():
    """The nginx binary's path, installing Debian's package when it is missing."""
    if not shutil.which("nginx") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing nginx (apt) ...", flush=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "nginx"],
            check=False,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    if not found:
        raise SystemExit("nginx is needed: install the Debian package nginx (as root).")
    return found


def local_config(folder, upstream_port, http_port, https_port, extra=None):
    """deploy/nginx/nginx.conf with its addresses on 127.0.0.1 and its paths in `folder`;
    `extra` replaces more lines (a test's). Every replaced text must be in the file, so the
    drill never runs a configuration other than the one shipped without saying so."""
    text = CONFIG.read_text()
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
        # Debian's nginx (1.22) has no "resolve": the upstreams become fixed addresses.
        "server web:8000 resolve;": f"server 127.0.0.1:{upstream_port};",
        "server minio:9000 resolve;": "server 127.0.0.1:9;",
        "/etc/nginx/tls/": f"{folder}/tls/",
        "/var/cache/nginx/": f"{folder}/temp/",
        "/var/run/nginx.pid": f"{folder}/nginx.pid",
        **(extra or {}),
    }
    for old, new in replacements.items():
        if old not in text:
            raise ValueError(f"{CONFIG.relative_to(harness.ROOT)} no longer has {old!r}")
        text = text.replace(old, new)
    return text


def self_signed_certificate(folder):
    """A certificate for 127.0.0.1 and its key, as the shipped file names them; returns the
    certificate's path, for clients to trust."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    tls = Path(folder) / "tls"
    tls.mkdir()
    chain = tls / "fullchain.pem"
    chain.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (tls / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (tls / "privkey.pem").chmod(0o600)
    return chain


class Proxy:
    """nginx with the shipped configuration, in the foreground as a child of the drill."""

    def __init__(self, upstream_port, extra=None):
        self.binary = ensure_nginx()
        # Its own folder, not the drill's: nginx's workers (nobody, when we are root) must
        # reach the temporary files, and the drill's folder may belong to the postgres account.
        self.folder = Path(tempfile.mkdtemp(prefix="portal-proxy-"))
        self.folder.chmod(0o755)
        (self.folder / "temp").mkdir()
        self.http_port = harness.free_port()
        self.https_port = harness.free_port()
        self.certificate = self_signed_certificate(self.folder)
        self.config = self.folder / "nginx.conf"
        self.config.write_text(
            local_config(self.folder, upstream_port, self.http_port, self.https_port, extra)
        )
        self.log = self.folder / "nginx.log"
        self.process = None

    @property
    def base(self):
        return f"https://127.0.0.1:{self.https_port}"

    def command(self, *options):
        return [self.binary, "-p", str(self.folder), "-e", "stderr", "-c", str(self.config),
                *options]  # fmt: skip

    def test(self):
        """`nginx -t` on the configuration: (passed, what nginx said)."""
        done = subprocess.run(self.command("-t"), capture_output=True, text=True)
        return done.returncode == 0, done.stderr

    def start(self):
        with open(self.log, "ab") as log:  # the child keeps its own copy
            self.process = subprocess.Popen(
                self.command("-g", "daemon off;"), stdout=log, stderr=log
            )
        deadline = time.time() + READY_SECONDS
        while time.time() < deadline and self.process.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit(f"nginx did not start:\n{self.log.read_text()[-2000:]}")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # fast shutdown: drops slow clients
            try:
                self.process.wait(timeout=harness.STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def close(self):
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def serving_proxy(upstream_port, extra=None):
    """A started Proxy in front of 127.0.0.1:`upstream_port`, stopped and removed however the
    block ends."""
    proxy = Proxy(upstream_port, extra)
    try:
        yield proxy.start()
    finally:
        proxy.close()
