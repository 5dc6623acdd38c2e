"""Production settings and serving: `check --deploy` is clean, gunicorn serves the static
files on a fresh checkout, and docker-compose migrates once per deploy."""

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def production_env(**overrides) -> dict:
    """What a production host sets: no DEBUG, a strong secret, HTTPS behind a proxy that says
    so in X-Forwarded-Proto, its own host name. Nothing leaks in from the test run."""
    keep = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env = {
        **keep,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "HTTPS": "1",
        "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
        "ALLOWED_HOSTS": "book.clinic.example",
        "CSRF_TRUSTED_ORIGINS": "https://book.clinic.example",
        "SITE_URL": "https://book.clinic.example",
        "LOG_LEVEL": "WARNING",
    }
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def check_deploy(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = check_deploy(production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_catches_a_production_host_without_https():
    result = check_deploy(production_env(HTTPS="0", SECURE_PROXY_SSL_HEADER=None))
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr + result.stdout


def settings_under(env: dict, *names: str) -> list[str]:
    code = "import django; django.setup(); from django.conf import settings; " + "; ".join(
        f"print(repr(settings.{name}))" for name in names
    )
    result = subprocess.run(  # noqa: S603 (our own interpreter)
        [PYTHON, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split("\n")[: len(names)]


def test_https_settings_come_from_the_environment():
    on = settings_under(
        production_env(),
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
    )
    assert on == ["('HTTP_X_FORWARDED_PROTO', 'https')", "31536000", "True", "True", "True"]
    off = settings_under(
        production_env(HTTPS="0", SECURE_PROXY_SSL_HEADER=None),
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
    )
    assert off == ["None", "0", "False"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)
        return response.status, response.headers, response.read()


@pytest.fixture
def gunicorn(tmp_path):
    """The README's production line, as written, on a fresh checkout: no collectstatic (an
    empty STATIC_ROOT), DEBUG off, plain HTTP on a loopback port."""
    port = free_port()
    env = production_env(
        HTTPS=None,
        SECURE_PROXY_SSL_HEADER=None,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL=os.environ.get("REDIS_URL", ""),
        STATIC_ROOT=str(tmp_path / "static-not-collected"),
        WEB_WORKERS="1",
    )
    server = subprocess.Popen(  # noqa: S603
        [GUNICORN, "config.wsgi", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                fetch(f"{base}/static/web/app.css")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(server.stderr.read().decode()) from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_gunicorn_serves_css_and_javascript_without_collectstatic(gunicorn, tmp_path):
    assert not (tmp_path / "static-not-collected").exists()
    status, headers, body = fetch(f"{gunicorn}/static/web/app.css")
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert b".skip-link" in body
    status, headers, body = fetch(f"{gunicorn}/static/web/diary.js")
    assert status == 200
    assert "javascript" in headers["Content-Type"]
    assert len(body) > 1000
    # Swagger UI for /api/v1/docs/ comes from the sidecar package, served the same way.
    status, headers, _ = fetch(
        f"{gunicorn}/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
    )
    assert status == 200
    assert "javascript" in headers["Content-Type"]


def test_compose_migrates_once_in_a_one_shot_service():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    migrate = services["migrate"]
    assert "migrate" in " ".join(migrate["command"])
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        service = services[name]
        assert "migrate" not in " ".join(service["command"]), name
        assert service["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }, name


def test_compose_file_parses_with_docker_compose():
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]) is None:
            continue
        probe = subprocess.run(  # noqa: S603
            [*command, "version"], capture_output=True, text=True, timeout=30
        )
        if probe.returncode != 0:
            continue
        result = subprocess.run(  # noqa: S603
            [*command, "-f", "docker-compose.yml", "config", "--quiet"],
            cwd=ROOT,
            env={**os.environ, "SECRET_KEY": "compose-config-check"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return
    pytest.skip("Neither `docker compose` nor `docker-compose` is installed here.")


def test_the_benchmarks_raise_the_rate_limits_they_would_hit():
    """bench/*.py send thousands of requests from one address: each that calls a rate-limited
    endpoint raises the limits in its environment (gunicorn's too) before settings load."""
    for bench in sorted((ROOT / "bench").glob("*.py")):
        source = bench.read_text()
        if not any(path in source for path in ("availability/", "/bookings/", "register/")):
            continue
        setup = source.index("django.setup()") if "django.setup()" in source else len(source)
        assert 'os.environ.setdefault(f"THROTTLE_{_scope}"' in source[:setup], bench.name


def test_every_setting_read_from_the_environment_is_in_env_example():
    settings_source = (ROOT / "config" / "settings.py").read_text()
    names = set(re.findall(r'env\.\w+\(\s*"([A-Z][A-Z0-9_]+)"', settings_source))
    example = (ROOT / ".env.example").read_text()
    missing = sorted(name for name in names if not re.search(rf"\b{name}=", example))
    assert not missing, f"document these in .env.example: {missing}"
