"""Everything other apps may call in notifications (STYLE §1: booking calls these, never models).

- outbox: `notify_booking_confirmed`, `notify_booking_rescheduled`, `notify_booking_cancelled`,
  called by booking's services inside their transactions with the `Appointment` they built
  (outbox_sql.py: the same in one statement on PostgreSQL).
- settings: a clinic's notification settings (cached) and saving them.
- delivery: claiming and sending, used by the tasks and the `run_notifications` command.
- feeds: secret URLs, the iCalendar feeds and a booking's "add to calendar" file.
- erasure: `forget_patient` and `delete_patient_messages`, called by privacy.services when a
  patient is erased and when their records are purged.
- `register_directory`: how booking tells notifications about its data (directory.py);
  `register_manage_link`: how web tells it the patient's manage-booking link.
"""

from ..directory import register_appointment_link, register_directory, register_manage_link
from .delivery import (
    DeliveryReport,
    claim_due_notifications,
    claim_notification,
    deliver_claimed,
    release_stale_claims,
    send_notification_now,
)
from .erasure import delete_patient_messages, forget_patient
from .feeds import (
    appointment_file,
    build_feed,
    ensure_feeds,
    feed_token,
    feeds_of,
    find_feed,
    rebuild_feed,
    rotate_feed_token,
    touch_clinic_feeds,
)
from .outbox import (
    notify_aftercare_waiting,
    notify_booking_cancelled,
    notify_booking_confirmed,
    notify_booking_rescheduled,
)
from .settings import clinic_settings, save_clinic_settings

__all__ = [
    "DeliveryReport",
    "appointment_file",
    "build_feed",
    "claim_due_notifications",
    "claim_notification",
    "clinic_settings",
    "deliver_claimed",
    "delete_patient_messages",
    "ensure_feeds",
    "feed_token",
    "feeds_of",
    "find_feed",
    "forget_patient",
    "notify_aftercare_waiting",
    "notify_booking_cancelled",
    "notify_booking_confirmed",
    "notify_booking_rescheduled",
    "rebuild_feed",
    "register_directory",
    "register_appointment_link",
    "register_manage_link",
    "release_stale_claims",
    "rotate_feed_token",
    "save_clinic_settings",
    "send_notification_now",
    "touch_clinic_feeds",
]
