"""Run the retention purge now: for the embedded default (no beat), e.g. from a daily cron job."""

from django.core.management.base import BaseCommand

from privacy.services import purge_expired_records


class Command(BaseCommand):
    help = (
        "Delete the clinical records of erased patients whose retention date has passed "
        "(what Celery beat runs daily). Safe to run any number of times."
    )

    def handle(self, *args, **options):
        purged = purge_expired_records()
        self.stdout.write(f"Purged the records of {len(purged)} erased patient(s).")
