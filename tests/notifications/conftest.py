"""Fixtures for notifications: booking through the real services, SMTP on loopback, SMS outbox.

Appointments are in the week after the frozen "now" (Monday 1 March 2027 09:00 UTC).
"""

from datetime import UTC, datetime

import pytest

from booking import services as booking_services
from notifications.sms import LocmemSMSBackend
from tests.notifications.smtp_sink import SMTPSink

# Wednesday 3 March 2027, 10:00 in London (GMT, so 10:00 UTC).
WEDNESDAY_10 = datetime(2027, 3, 3, 10, 0, tzinfo=UTC)


@pytest.fixture
def book(massage, patient, receptionist):
    """book(start=..., patient=..., therapist=...) -> a booking made by reception."""

    def _book(start=WEDNESDAY_10, **kwargs):
        kwargs.setdefault("patient", patient)
        return booking_services.book_session(
            treatment=massage, start=start, booked_by=receptionist, apply_policy=False, **kwargs
        )

    return _book


@pytest.fixture
def sms_outbox(settings):
    settings.NOTIFICATIONS_SMS_BACKEND = "notifications.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox = []
    return LocmemSMSBackend.outbox


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server on 127.0.0.1 that Django's SMTP backend sends to."""
    with SMTPSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = sink.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield sink
