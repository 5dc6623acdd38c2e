"""Secret tokens in URLs never reach the logs: not Django's request log (the 4xx/5xx lines), not
the development server's, not gunicorn's access log, not anything else sent to the console."""

import io
import logging
import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from core.logs import REDACTED, GunicornLogger, RedactSecrets, redact

FEED_TOKEN = "Zq3" + "x" * 40  # the shape of a feed token: 43 URL-safe characters
MANAGE_TOKEN = "0123456789abcdef0123456789abcdef:1pQxyz:AbCdEfGhIjKlMnOpQrStUvWxYz0"


@pytest.mark.parametrize(
    ("logged", "expected"),
    [
        (f"/feeds/{FEED_TOKEN}.ics", f"/feeds/{REDACTED}.ics"),
        (f"/manage/{MANAGE_TOKEN}/", f"/manage/{REDACTED}/"),
        (f"/manage/{MANAGE_TOKEN}/cancel/?x=1", f"/manage/{REDACTED}/cancel/?x=1"),
        (f"GET /manage/{MANAGE_TOKEN} HTTP/1.1", f"GET /manage/{REDACTED} HTTP/1.1"),
        ("/accounts/reset/MQ/c2v9yz-0123abcd/", f"/accounts/reset/{REDACTED}/"),
        ("/api/v1/x/?token=abc&page=2", f"/api/v1/x/?token={REDACTED}&page=2"),
        ("/x/?page=2&auth_token=abc", f"/x/?page=2&auth_token={REDACTED}"),
        ("/x/?signature=s1&key=k1", f"/x/?signature={REDACTED}&key={REDACTED}"),
        ("token=abc&page=2", f"token={REDACTED}&page=2"),
        ("/api/v1/bookings/?page=2", "/api/v1/bookings/?page=2"),
        ("/diary/derby/bookings/12/", "/diary/derby/bookings/12/"),
    ],
)
def test_redact(logged, expected):
    assert redact(logged) == expected


@pytest.fixture
def warnings_logged(caplog):
    caplog.set_level(logging.WARNING)
    return caplog


@pytest.mark.django_db
def test_a_feed_404_is_logged_without_its_token(client, warnings_logged):
    assert client.get(f"/feeds/{FEED_TOKEN}.ics").status_code == 404

    assert f"Not Found: /feeds/{REDACTED}.ics" in warnings_logged.messages
    assert FEED_TOKEN not in warnings_logged.text


@pytest.mark.django_db
def test_a_dead_manage_link_is_logged_without_its_token(client, warnings_logged):
    response = client.get(f"/manage/{MANAGE_TOKEN}/cancel/")

    assert 400 <= response.status_code < 500
    logged = [r for r in warnings_logged.records if r.name == "django.request"]
    assert logged, "Django logs the 4xx"
    assert all(MANAGE_TOKEN not in r.getMessage() for r in logged)
    assert f"/manage/{REDACTED}/cancel/" in logged[0].getMessage()
    assert MANAGE_TOKEN not in warnings_logged.text


def test_every_console_line_goes_through_the_filter():
    """Any logger (not only Django's) that reaches the console handler is redacted."""
    (console,) = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    stream = io.StringIO()
    original, console.stream = console.stream, stream
    try:
        logging.getLogger("physiodesk.somewhere").error("Sent %s", f"/feeds/{FEED_TOKEN}.ics")
    finally:
        console.stream = original
    assert f"Sent /feeds/{REDACTED}.ics" in stream.getvalue()
    assert FEED_TOKEN not in stream.getvalue()


def test_the_development_server_log_is_redacted():
    server = logging.getLogger("django.server")
    assert any(isinstance(f, RedactSecrets) for f in server.filters)
    record = server.makeRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s %s',
        (f"GET /manage/{MANAGE_TOKEN}/ HTTP/1.1", "200", "512"), None,
    )  # fmt: skip
    for f in server.filters:
        f.filter(record)
    assert MANAGE_TOKEN not in record.getMessage()


def test_gunicorn_access_log_is_redacted():
    """The repository's gunicorn.conf.py selects the redacting logger, which redacts the request
    line, path, query and the referrer (a manage page's links carry the token onwards)."""
    config_file = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"
    assert runpy.run_path(str(config_file))["logger_class"] == "core.logs.GunicornLogger"

    from gunicorn.config import Config

    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s %(q)s')
    logger = GunicornLogger(cfg)
    stream = io.StringIO()
    for handler in logger.access_log.handlers:
        handler.stream = stream
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/manage/{MANAGE_TOKEN}/?token=abc",
        "PATH_INFO": f"/manage/{MANAGE_TOKEN}/",
        "QUERY_STRING": "token=abc",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://clinic.example/manage/{MANAGE_TOKEN}/",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])

    logger.access(response, request, environ, timedelta(milliseconds=5))

    line = stream.getvalue()
    assert line.count(REDACTED) >= 4, line
    assert MANAGE_TOKEN not in line
    assert "abc" not in line
