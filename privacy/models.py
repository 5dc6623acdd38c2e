"""What is left of an erased patient: when they were erased and how long their record stays."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .retention import ADULT_YEARS


class Erasure(models.Model):
    """One patient's erasure. Their identity went at `erased_at`; their clinical records stay
    until `retain_until` (inclusive) and the daily purge deletes them after it.

    Plain ids, not foreign keys: the patient row itself goes in the purge, and this row (with
    the audit trail's data-rights events) is the stub that records what was destroyed and when.
    """

    patient_id = models.BigIntegerField(unique=True)
    clinic_id = models.BigIntegerField(help_text="The patient's home clinic.")
    erased_at = models.DateTimeField()
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    last_contact = models.DateField(
        null=True, blank=True, help_text="The last clinical contact; empty if there was none."
    )
    retain_until = models.DateField(help_text="Clinical records are kept through this day.")
    purged_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(help_text="What the erase answered: what went at once, what stays.")
    purged = models.JSONField(default=dict, blank=True, help_text="Rows deleted by the purge.")

    class Meta:
        indexes = [
            # The daily purge reads the erasures due: not yet purged, retention date passed.
            models.Index(
                fields=["retain_until"],
                condition=models.Q(purged_at__isnull=True),
                name="erasure_due_for_purge",
            )
        ]

    def __str__(self) -> str:
        state = f"purged {self.purged_at:%Y-%m-%d}" if self.purged_at else "awaiting purge"
        return f"Erasure of patient {self.patient_id} (kept until {self.retain_until}, {state})"


class ClinicRetention(models.Model):
    """A clinic's own retention period for adults, where it differs from the code's default of
    8 years (e.g. 6 in Scotland). The children's rule (25th/26th birthday) always applies too.
    A clinic without a row uses the default. Set by operators in the admin."""

    clinic_id = models.BigIntegerField(unique=True, help_text="The clinic this applies to.")
    adult_years = models.PositiveSmallIntegerField(
        default=ADULT_YEARS,
        validators=[MinValueValidator(6), MaxValueValidator(30)],
        help_text="Keep an adult's clinical record this many years after the last contact.",
    )
    reason = models.CharField(
        max_length=200, help_text="Why this clinic keeps records for a different period."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(adult_years__gte=6, adult_years__lte=30),
                name="retention_adult_years_6_to_30",
            )
        ]

    def __str__(self) -> str:
        return f"Clinic {self.clinic_id}: adults {self.adult_years} years"
