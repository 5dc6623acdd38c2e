"""Send due notifications in a loop, in this process: the embedded default's worker and beat.

Without REDIS_URL, tasks run in-process (CELERY_TASK_ALWAYS_EAGER), so confirmations go out
right after the booking commits, but nothing wakes up when a reminder falls due. Run this beside
`runserver`: every --interval seconds it claims the due rows and sends them itself, with the
same claims and checks as the Celery tasks (so it is harmless next to a real worker too).
"""

import time

from django.core.management.base import BaseCommand

from notifications import services
from notifications.errors import TransientDeliveryError


class Command(BaseCommand):
    help = "Send due reminders and other notifications every --interval seconds (Ctrl-C stops)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=60.0, help="Seconds between scans (default 60)."
        )
        parser.add_argument("--once", action="store_true", help="Scan once and exit.")

    def handle(self, *args, interval: float, once: bool, **options):
        while True:
            sent = self.scan()
            if sent or once:
                self.stdout.write(f"{sent} notification(s) sent")
            if once:
                return
            try:
                time.sleep(interval)
            except KeyboardInterrupt:
                return

    def scan(self) -> int:
        services.release_stale_claims()
        sent = 0
        for token, ids in services.claim_due_notifications():
            try:
                sent += len(services.deliver_claimed(ids, token).sent)
            except TransientDeliveryError as exc:
                # The rest of the batch stays claimed and is tried again after the claim time-out.
                self.stderr.write(f"Sending paused: {exc}")
                break
        return sent
