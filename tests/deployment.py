"""The production deployment of docs/operations.md, started for a test or a load test:
nginx (deploy/nginx/casework.conf with a throw-away certificate, local ports and
paths) in front of several `casework serve` processes in production mode, sharing one
database and one Redis. Nothing is installed or left behind; ports are random.
"""

from __future__ import annotations

import datetime as dt
import http.client
import ipaddress
import json
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import urlencode

from casework.settings import PROJECT_ROOT
from tests.conftest import TEST_SECRET_KEY, TEST_SIGNING_KEY
from tests.factories import TEST_KEK

SITE = PROJECT_ROOT / "deploy" / "nginx" / "casework.conf"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Unavailable(RuntimeError):
    """Something the deployment needs is not on this machine; the message says what."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(check: Callable[[], bool], what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except (OSError, http.client.HTTPException):
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not come up in {seconds:.0f} s")
        time.sleep(0.3)


# -- Redis -----------------------------------------------------------------------------


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """CASEWORK_TEST_REDIS_URL, else the machine's Redis, else a private redis-server."""
    import redis

    url = os.environ.get("CASEWORK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_timeout=2).ping()
    except redis.RedisError:
        pass
    else:
        yield url
        return
    server = shutil.which("redis-server")
    if server is None:
        raise Unavailable(f"no Redis answers at {url} and redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - the machine's redis-server
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    private = f"redis://127.0.0.1:{port}/0"
    try:
        wait_until(lambda: bool(redis.Redis.from_url(private).ping()), "redis-server")
        yield private
    finally:
        process.terminate()
        process.wait(timeout=30)


def forget_counters(redis_url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        for key in client.scan_iter(match=f"{prefix}*"):
            client.delete(key)
    finally:
        client.close()


# -- certificate and nginx ---------------------------------------------------------------


def certificate(folder: Path) -> tuple[Path, Path]:
    """A throw-away self-signed certificate for 127.0.0.1 and localhost."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "casework test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


def nginx_site(folder: Path, https_port: int, http_port: int, backends: list[int]) -> str:
    """deploy/nginx/casework.conf with local ports, the certificate and a log folder.
    Every replacement must find its text, so this follows the shipped file."""
    cert, key = certificate(folder)
    upstreams = "\n    ".join(f"server 127.0.0.1:{port} fail_timeout=0;" for port in backends)
    replacements = [
        ("server unix:/run/casework/casework.sock fail_timeout=0;", upstreams),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;", ""),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
        ("/etc/letsencrypt/live/casework.example.org/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/casework.example.org/privkey.pem", str(key)),
        ("/var/log/nginx/", f"{folder}/"),
    ]
    site = SITE.read_text()
    for old, new in replacements:
        if old not in site:
            raise AssertionError(f"{SITE} no longer has {old!r}")
        site = site.replace(old, new)
    return site


def nginx_conf(folder: Path, site: str) -> Path:
    (folder / "casework.conf").write_text(site)
    temp = "\n".join(
        f"    {kind}_temp_path {folder}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = folder / "nginx.conf"
    conf.write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\n"
        f"error_log {folder}/nginx-error.log warn;\n"
        "events { worker_connections 1024; }\n"
        f"http {{\n{temp}\n    include {folder}/casework.conf;\n}}\n"
    )
    return conf


def nginx_binary() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found is None:
        raise Unavailable("nginx is not installed")
    return found


# -- the app servers -------------------------------------------------------------------


def production_environment(
    url: str, folder: Path, redis_url: str, **settings: str
) -> dict[str, str]:
    """The environment of `casework serve` in production mode: secrets in 0600 files,
    one trusted proxy, JSON logs, counters in Redis under a random prefix."""
    secrets_dir = folder / "secrets"
    secrets_dir.mkdir(mode=0o700, exist_ok=True)
    for name, value in (
        ("secret_key", TEST_SECRET_KEY),
        ("kek", TEST_KEK),
        ("signing_key", TEST_SIGNING_KEY),
    ):
        (secrets_dir / name).write_text(value + "\n")
        (secrets_dir / name).chmod(0o600)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEWORK_")}
    env.update(
        {
            "CASEWORK_ENV": "production",
            "CASEWORK_DATABASE_URL": url,
            "CASEWORK_INSTANCE_PATH": str(folder / "instance"),
            "CASEWORK_SECRET_KEY_FILE": str(secrets_dir / "secret_key"),
            "CASEWORK_KEK_FILE": str(secrets_dir / "kek"),
            "CASEWORK_SIGNING_KEY_FILE": str(secrets_dir / "signing_key"),
            "CASEWORK_AUDIT_CHECKPOINT_FILE": str(folder / "audit-checkpoints.txt"),
            "CASEWORK_SERVE_WORKERS": "1",
            "CASEWORK_PROXY_HOPS": "1",
            "CASEWORK_LOG_FORMAT": "json",
            "CASEWORK_RATELIMIT_STORAGE_URI": redis_url,
            "CASEWORK_RATELIMIT_KEY_PREFIX": f"casework-test-{secrets.token_hex(6)}",
        }
    )
    env.update({f"CASEWORK_{name}": value for name, value in settings.items()})
    return env


def _plain_ready(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/ready")
        return connection.getresponse().status == 200
    finally:
        connection.close()


@dataclass
class Deployment:
    url: str
    port: int
    app_logs: list[Path]
    folder: Path
    redis_url: str
    key_prefix: str
    certificate: Path  # the throw-away certificate nginx serves: clients trust it

    def request_lines(self) -> list[list[dict[str, object]]]:
        """Each app process's request log so far (JSON lines)."""
        per_process = []
        for log in self.app_logs:
            lines = [json.loads(x) for x in log.read_text().splitlines() if x.startswith("{")]
            per_process.append([x for x in lines if x.get("logger") == "casework.request"])
        return per_process


@contextmanager
def deployment(
    url: str, folder: Path, redis_url: str, processes: int = 2, **settings: str
) -> Iterator[Deployment]:
    """nginx on a random HTTPS port in front of `processes` app servers on `url`."""
    nginx = nginx_binary()
    casework = str(Path(sys.executable).parent / "casework")
    env = production_environment(url, folder, redis_url, **settings)
    backends = [free_port() for _ in range(processes)]
    https_port = free_port()
    running: list[subprocess.Popen[bytes]] = []
    logs = [folder / f"app-{n}.log" for n in range(processes)]
    try:
        for port, log in zip(backends, logs, strict=True):
            with log.open("wb") as out:
                running.append(
                    subprocess.Popen(  # noqa: S603 - our own command
                        [casework, "serve", "--bind", f"127.0.0.1:{port}"],
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
        for port in backends:
            wait_until(partial(_plain_ready, port), f"casework serve on port {port}")
        conf = nginx_conf(folder, nginx_site(folder, https_port, free_port(), backends))
        check = subprocess.run(  # noqa: S603 - the machine's nginx
            [nginx, "-t", "-c", str(conf), "-p", str(folder)],
            capture_output=True,
            text=True,
            check=False,
        )
        if check.returncode != 0:
            raise AssertionError(f"nginx refuses the site: {check.stderr}")
        with (folder / "nginx-stderr.log").open("wb") as err:
            running.append(
                subprocess.Popen(  # noqa: S603 - the machine's nginx
                    [nginx, "-c", str(conf), "-p", str(folder)],
                    stdout=subprocess.DEVNULL,
                    stderr=err,
                )
            )
        trusted = folder / "cert.pem"
        wait_until(lambda: HttpsClient(https_port, trusted).get("/ready")[0] == 200, "nginx")
        yield Deployment(
            f"https://127.0.0.1:{https_port}",
            https_port,
            logs,
            folder,
            redis_url,
            env["CASEWORK_RATELIMIT_KEY_PREFIX"],
            trusted,
        )
    finally:
        for process in reversed(running):
            process.terminate()
        for process in running:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        forget_counters(redis_url, env["CASEWORK_RATELIMIT_KEY_PREFIX"])


class HttpsClient:
    """A browser-like client over TLS from a chosen loopback address, keeping cookies
    and sending Origin and Referer with its forms."""

    def __init__(self, port: int, certificate: Path, source: str = "127.0.0.1") -> None:
        self.port, self.source = port, source
        self.cookies: dict[str, str] = {}
        # The throw-away certificate is the one trusted: its name (127.0.0.1) is checked.
        self.context = ssl.create_default_context(cafile=str(certificate))

    def send(
        self, method: str, path: str, body: str | None = None
    ) -> tuple[int, http.client.HTTPMessage, str]:
        connection = http.client.HTTPSConnection(
            "127.0.0.1",
            self.port,
            timeout=60,
            context=self.context,
            source_address=(self.source, 0),
        )
        origin = f"https://127.0.0.1:{self.port}"
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": f"{origin}{path}",
            }
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.headers, text

    def get(self, path: str) -> tuple[int, http.client.HTTPMessage, str]:
        return self.send("GET", path)

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        """GET the form for its CSRF token, then POST `fields` to it."""
        status, _, page = self.get(path)
        match = CSRF.search(page)
        if status != 200 or match is None:
            raise AssertionError(f"{path} answered {status} without a form")
        status, _, text = self.send("POST", path, urlencode({**fields, "csrf_token": match[1]}))
        return status, text
