"""SMS as a pluggable channel, chosen by NOTIFICATIONS_SMS_BACKEND (a dotted path).

A backend is a class with `send(message: SMSMessage) -> None` that raises
`TransientDeliveryError` for "try later" failures and any other exception for permanent ones.
The console backend writes the text to stdout, like Django's console email backend.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SMSMessage:
    to: str
    body: str
    reference: str  # our Message-ID, for providers that accept an idempotency key


class ConsoleSMSBackend:
    """Prints each text message. The embedded default and development use it."""

    _lock = threading.Lock()

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, message: SMSMessage) -> None:
        with self._lock:
            self.stream.write(
                f"SMS to {message.to} [{message.reference}]\n{message.body}\n{'-' * 40}\n"
            )
            self.stream.flush()


class LocmemSMSBackend:
    """Keeps messages in `LocmemSMSBackend.outbox`, like Django's locmem email backend (tests)."""

    outbox: list[SMSMessage] = []

    def send(self, message: SMSMessage) -> None:
        LocmemSMSBackend.outbox.append(message)


def get_sms_backend():
    return import_string(settings.NOTIFICATIONS_SMS_BACKEND)()
