"""Secrets in URLs never reach a log line.

Some URLs are themselves the key to something: the manage-booking link (`/manage/<token>/…`),
a calendar feed (`/feeds/<token>.ics`), a password-reset link (`/reset/<uid>/<token>/`), and any
query parameter named like a credential (`?token=`, `?key=`, `?signature=`…). Anyone who can
read the logs could otherwise cancel a patient's booking or subscribe to a therapist's diary.

`redact(text)` replaces those parts with `[redacted]`. `RedactSecrets` is the logging filter
(wired in config/settings.py LOGGING on Django's request and server loggers, and on the console
handler for everything else); `GunicornLogger` does the same for gunicorn's access log, where
the referrer can carry a manage link too (gunicorn.conf.py selects it).

This module imports no Django, so the gunicorn master can load it before the app.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

_SECRETS_IN_URLS = [
    (re.compile(r"(/manage/)[^/?#\s\"']+"), rf"\g<1>{REDACTED}"),
    (re.compile(r"(/feeds/)[^/?#\s\"']+?(\.ics)"), rf"\g<1>{REDACTED}\g<2>"),
    (re.compile(r"(/reset/)[^/?#\s\"']+/[^/?#\s\"']+"), rf"\g<1>{REDACTED}"),
    (
        re.compile(
            r"((?:^|[?&;])(?:[\w.-]*token|key|signature|sig|secret|password|code)=)[^&;#\s\"']*",
            re.IGNORECASE,
        ),
        rf"\g<1>{REDACTED}",
    ),
]


def redact(text: str) -> str:
    """`text` with every secret that can appear in a URL replaced by [redacted]."""
    for pattern, replacement in _SECRETS_IN_URLS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """Rewrites a record's message without secrets. The message is formatted once here, so
    every handler further on prints the redacted text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is not ours to fix; leave it to the handler
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


try:  # gunicorn is installed where the app is served; tests and tools import without it
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = None

if _GunicornLogger is not None:

    class GunicornLogger(_GunicornLogger):
        """gunicorn's logger, with secrets redacted from every access-log value (request line,
        path, query, referrer and the other headers)."""

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            return {
                key: redact(value) if isinstance(value, str) else value
                for key, value in atoms.items()
            }
