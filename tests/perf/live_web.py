"""A real web instance for the scale-out and pooling tests: gunicorn on a loopback port."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.notifications.smtp_sink import free_port

ROOT = Path(__file__).resolve().parents[2]


class Web:
    """`gunicorn config.wsgi` on a loopback port, in its own process group."""

    def __init__(self, *, database: str, redis_url: str, log: Path, extra_env=None):
        self.port = free_port()
        self.log = log
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "test-only-secret-key"),
            "DATABASE_URL": database,
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            # These runs send far more requests a minute than any one client may in production;
            # the rate limits are proved in tests/accounts/test_rate_limits.py, not here.
            **{
                f"THROTTLE_{scope}": "100000/minute"
                for scope in ("AVAILABILITY", "BOOKING", "REGISTRATION", "PASSWORD_RESET")
            },
            **(extra_env or {}),
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments, our own venv
            [str(gunicorn), "config.wsgi", "--bind", f"127.0.0.1:{self.port}"]
            + ["--workers", "2", "--worker-class", "gthread", "--threads", "4"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/health/")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"gunicorn did not start:\n{self.log.read_text()[-3000:]}")

    def post(self, path: str, body: dict, token: str) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        conn.request("POST", path, json.dumps(body), headers)
        return conn.getresponse().status

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            self.process.wait(timeout=20)
