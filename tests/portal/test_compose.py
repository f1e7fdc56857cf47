"""compose.yaml, read as Docker Compose would read it (no Docker engine runs the tests): valid
against the Compose Specification, and built so that web and worker scale out behind the one
published proxy, every service runs within limits and is checked, and the database roles
are the right way round (migrations as the owner, the portal as the application role)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

COMPOSE = ROOT / "compose.yaml"
ONE_OFF = {"migrate", "minio-init"}
APP_SERVICES = ("web", "worker")
S3_VARIABLES = (
    "S3_ENDPOINT_URL",
    "S3_REGION_NAME",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_MEDIA_BUCKET",
    "S3_PRIVATE_BUCKET",
    "S3_MEDIA_CUSTOM_DOMAIN",
    "S3_PRIVATE_ENCRYPTION",
)


@pytest.fixture(scope="module")
def services():
    return yaml.safe_load(COMPOSE.read_text())["services"]


def database_login(service):
    """(role, the .env variable of its password) of the service's DATABASE_URL."""
    url = service["environment"]["DATABASE_URL"]
    return re.fullmatch(r"postgres://(\w+):\$\{(\w+):\?[^}]*\}@db:5432/portal", url).groups()


def test_compose_yaml_follows_the_compose_specification():
    checker = Path(shutil.which("check-jsonschema") or ROOT / ".venv" / "bin" / "check-jsonschema")
    if not checker.exists():
        pytest.skip("check-jsonschema is not installed")
    done = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_only_the_proxy_is_published(services):
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    # Fixed names would stop a second replica from starting.
    for name in APP_SERVICES:
        assert "container_name" not in services[name]
        assert "ports" not in services[name]


def test_every_service_has_limits_and_every_long_running_one_a_health_check(services):
    for name, service in services.items():
        limits = service["deploy"]["resources"]["limits"]
        assert float(limits["cpus"]) > 0, name
        assert re.fullmatch(r"\d+[MG]", limits["memory"]), name
        if name in ONE_OFF:
            assert service["restart"] == "no", name
            continue
        check = service.get("healthcheck", {})
        assert check.get("test") and not check.get("disable"), name
    assert services["worker"]["healthcheck"]["test"][-2:] == ["manage.py", "check_worker"]


def test_migrations_run_as_the_owner_and_the_portal_as_the_application_role(services):
    db = services["db"]["environment"]
    assert database_login(services["migrate"]) == (
        db["PORTAL_OWNER_ROLE"],
        "PORTAL_OWNER_PASSWORD",
    )
    for name in APP_SERVICES:
        assert database_login(services[name]) == (db["PORTAL_APP_ROLE"], "PORTAL_APP_PASSWORD")
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    assert db["PORTAL_APP_ROLE"] != db["PORTAL_OWNER_ROLE"]
    # The role script is what the database runs when its data folder is new.
    (init,) = [v for v in services["db"]["volumes"] if "docker-entrypoint-initdb.d" in v]
    # Ready only once the roles exist: over TCP, which the image's init phase does not open.
    assert "-h 127.0.0.1" in services["db"]["healthcheck"]["test"][1]
    assert init.startswith("./deploy/postgres/init-roles.sh:")
    assert (ROOT / "deploy" / "postgres" / "init-roles.sh").stat().st_mode & 0o111


def test_web_and_worker_keep_files_in_the_object_store(services):
    for name in APP_SERVICES:
        service = services[name]
        assert "volumes" not in service, name
        assert set(S3_VARIABLES) <= set(service["environment"]), name
        assert service["depends_on"]["minio-init"] == {
            "condition": "service_completed_successfully"
        }
    assert services["minio-init"]["depends_on"]["minio"] == {"condition": "service_healthy"}


def test_the_evidence_bucket_is_never_public():
    script = (ROOT / "deploy" / "minio" / "init-buckets.sh").read_text()
    anonymous = [line.strip() for line in script.splitlines() if "mc anonymous" in line]
    assert 'mc anonymous set none "store/$private"' in anonymous
    assert [line for line in anonymous if "$private" in line and " none " not in line] == []
    assert 'mc encrypt set sse-s3 "store/$private"' in script


def test_web_has_a_memory_folder_for_metrics(services):
    web = services["web"]
    folder = web["environment"]["PROMETHEUS_MULTIPROC_DIR"]
    assert folder == "/tmp/prometheus"  # noqa: S108 (a tmpfs of the container's own)
    assert any(mount.startswith(f"{folder}:") for mount in web["tmpfs"])
    assert "METRICS_TOKEN" in web["environment"]


def test_the_proxy_finds_every_web_replica(services):
    config = (ROOT / "deploy" / "nginx" / "nginx.conf").read_text()
    assert re.search(r"(?m)^\s*resolver 127\.0\.0\.11 ", config)
    upstream = re.search(r"upstream portal \{(.*?)\}", config, re.S).group(1)
    assert "zone portal" in upstream
    assert "server web:8000 resolve;" in upstream
    # "resolve" is open-source nginx's from 1.27.3: the stable image, or a version from there.
    image = services["proxy"]["image"]
    assert image in {"nginx:stable", "nginx:stable-alpine"} or tuple(
        int(part) for part in image.split(":")[1].split(".")[:2]
    ) >= (1, 28)


def test_env_example_names_every_variable_compose_requires():
    required = set(re.findall(r"\$\{(\w+):\?", COMPOSE.read_text()))
    example = (ROOT / ".env.example").read_text()
    given = set(re.findall(r"(?m)^(\w+)=", example))
    assert required <= given, required - given
