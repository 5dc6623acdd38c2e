"""Patients' data rights: export everything held, erase at once what may go, purge the rest later.

What erasure does (UK GDPR Art. 17 with the health-records exemptions; research note E3):

- **At once**: the patient's identity and contact details (name, email, phone, date of birth,
  consents to be contacted; their name as the giver of their own needling consents), their sign-in, their calendar feed, every message still waiting to
  go to them, the addresses past messages went to, their initials in staff calendars, their
  open waiting-list entries and their future bookings (cancelled without telling them: no
  email, SMS or invitation goes to an erased address). Open treatment plans are discontinued.
  The audit trail's snapshots of the patient's details are anonymised the same way.
- **At the retention date** (privacy.retention): the clinical record itself - bookings, plans,
  screenings and consents, outcomes, exercise logs, session notes, safety alerts, the message
  log, the change history of all of it - is deleted by the daily purge. Until then it is kept
  as it was written, because the law requires the clinic to keep it (and erasure does not apply
  to health records needed for care or legal claims).

The date of birth is needed only to compute the retention date (the children's rule), which is
fixed at erasure: nothing can add a contact afterwards (future bookings are cancelled, booking
the patient is refused, their sign-in is closed). So the date is computed, stored on the
Erasure row, and the date of birth is cleared with the rest of the identity at once.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit.models import RightsAction, lawful_removal
from audit.services import forget_history_of, record_rights_event, scrub_history
from booking.models import Booking, BookingStatus, CancellationReason, IdempotencyKey, Patient
from booking.services import cancel_booking
from core.users import acting_user
from notifications.models import Notification
from notifications.services import delete_patient_messages, forget_patient
from plans.models import (
    OPEN_STATUSES,
    ExerciseLog,
    NeedlingConsent,
    NeedlingScreening,
    OutcomeRecord,
    TreatmentPlan,
)
from plans.services import discontinue_plan
from sessionnotes.models import Amendment, SafetyAlert, SessionNote
from waitlist.models import WaitlistEntry, WaitlistStatus
from waitlist.services import remove_from_waitlist

from . import errors
from .export import ExportDocument, patient_export
from .models import ClinicRetention, Erasure
from .retention import ADULT_YEARS, retention_date

# What an erased patient's record says instead of who they were. The name stays readable in the
# diary's past appointments ("Erased patient") without saying who it was.
ANONYMOUS = {
    "first_name": "Erased",
    "last_name": "patient",
    "email": "",
    "phone": "",
    "date_of_birth": None,
}
ANONYMOUS_INITIALS = "EP"
CONSENT_GIVEN_BY_SELF = "the patient"
NO_CONTACT = {
    "consents_to_email": False,
    "consents_to_sms": False,
    "consents_to_reminders": False,
}
# Bookings that count as contact: they took place, or were due to and were not cancelled.
CONTACT_STATUSES = [
    BookingStatus.CONFIRMED,
    BookingStatus.ARRIVED,
    BookingStatus.COMPLETED,
    BookingStatus.NO_SHOW,
]
SUBJECT_ACCESS = "subject_access_export"
RECORD_EXPORT = "record_export"


# --- export ---------------------------------------------------------------------------------------


def export_patient_data(*, patient: Patient, user, own: bool) -> ExportDocument:
    """Everything held about `patient` for `user` (see privacy.export), with the export itself
    recorded in the audit trail: as a subject-access export when the patient downloads their
    own (`own`), else as a record export by that staff member, saying whether it was complete.
    """
    document = patient_export(patient, user)
    record_rights_event(
        actor=acting_user(user),
        patient_id=patient.pk,
        clinic_id=patient.clinic_id,
        action=RightsAction.EXPORTED,
        object_type=SUBJECT_ACCESS if own else RECORD_EXPORT,
        actor_name="the patient" if own else None,
        details=[{"field": "complete", "old": None, "new": document.complete}],
    )
    return document


# --- retention --------------------------------------------------------------------------------


def _local_date(value: datetime | date | None, patient: Patient) -> date | None:
    if value is None or not isinstance(value, datetime):
        return value
    return value.astimezone(patient.clinic.tz).date()


def last_contact_of(patient: Patient, *, now: datetime | None = None) -> date | None:
    """The day of the patient's last clinical contact, in their clinic's calendar: the latest
    session that was due (not cancelled, already started), session note, screening, consent,
    outcome or exercise logged. None if there was none."""
    now = now or timezone.now()
    candidates = [
        Booking.objects.filter(
            patient=patient, status__in=CONTACT_STATUSES, start__lte=now
        ).aggregate(last=Max("start"))["last"],
        SessionNote.objects.filter(patient=patient).aggregate(last=Max("treated_at"))["last"],
        NeedlingScreening.objects.filter(patient=patient).aggregate(last=Max("screened_at"))[
            "last"
        ],
        NeedlingConsent.objects.filter(patient=patient).aggregate(last=Max("given_at"))["last"],
        OutcomeRecord.objects.filter(plan__patient=patient).aggregate(last=Max("recorded_on"))[
            "last"
        ],
        ExerciseLog.objects.filter(plan__patient=patient).aggregate(last=Max("performed_on"))[
            "last"
        ],
    ]
    days = [_local_date(value, patient) for value in candidates if value is not None]
    return max(days) if days else None


def _records_kept(patient: Patient) -> dict[str, int]:
    return {
        "bookings": Booking.objects.filter(patient=patient).count(),
        "treatment_plans": TreatmentPlan.objects.filter(patient=patient).count(),
        "screenings": NeedlingScreening.objects.filter(patient=patient).count(),
        "consents": NeedlingConsent.objects.filter(patient=patient).count(),
        "outcomes": OutcomeRecord.objects.filter(plan__patient=patient).count(),
        "exercise_logs": ExerciseLog.objects.filter(plan__patient=patient).count(),
        "session_notes": SessionNote.objects.filter(patient=patient).count(),
        "messages": Notification.objects.filter(entry__patient_id=patient.pk).count(),
    }


# --- erasure ----------------------------------------------------------------------------------


def _close_account(patient: Patient) -> bool:
    """Anonymise and disable the patient's own login; True if there was one to close.

    A login that is also a staff member's (or an operator's) is not the patient's to lose: the
    link from the patient record is removed and the login itself left alone.
    """
    user = patient.user
    if user is None:
        return False
    if user.is_staff or user.is_superuser or user.memberships.exists():
        Patient.objects.filter(pk=patient.pk).update(user=None)
        return False
    user.username = f"erased-{uuid.uuid4().hex[:16]}"
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    user.set_unusable_password()
    user.is_active = False  # accounts.signals revokes every API token on this save
    user.save()
    # Replayable responses of their own recent bookings repeat their details; they go too.
    IdempotencyKey.objects.filter(user=user).delete()
    return True


def _cancel_future_bookings(patient: Patient, erased_by, now: datetime) -> list[int]:
    future = Booking.objects.filter(
        patient=patient, status=BookingStatus.CONFIRMED, start__gt=now
    ).order_by("clinic_id", "start")  # clinics locked in one order, as diary writes do
    cancelled = []
    for booking in future:
        cancel_booking(
            booking=booking,
            cancelled_by=erased_by,
            reason=CancellationReason.CLINIC,
            note="The patient's data was erased at their request.",
            apply_policy=False,
            now=now,
            tell_patient=False,
        )
        cancelled.append(booking.pk)
    return cancelled


def _anonymise_consents(patient: Patient) -> int:
    """A consent the patient gave themself names them in `given_by`: it now says "the patient",
    which keeps its meaning for the record. A guardian's name stays with the clinical record
    until the purge (it is the guardian's act the record must be able to show)."""
    own = {"given_by": CONSENT_GIVEN_BY_SELF}
    NeedlingConsent.objects.filter(patient=patient, by_guardian=False).update(**own)
    return scrub_history(
        model=NeedlingConsent, patient_id=patient.pk, replacements=own, where={"by_guardian": False}
    )


def _retention_of(patient: Patient, now: datetime) -> tuple[date | None, date]:
    """(last contact, retain until), by the patient's home clinic's rule (ClinicRetention, else
    the code's default). A patient never seen has no clinical record to keep: it may go the day
    after the erasure."""
    last_contact = last_contact_of(patient, now=now)
    if last_contact is None:
        return None, patient.clinic.today(now)
    own_rule = ClinicRetention.objects.filter(clinic_id=patient.clinic_id).first()
    return last_contact, retention_date(
        last_contact=last_contact,
        date_of_birth=patient.date_of_birth,
        adult_years=own_rule.adult_years if own_rule else ADULT_YEARS,
    )


def _leave_waiting_list(patient: Patient) -> int:
    waiting = WaitlistEntry.objects.filter(
        patient=patient, status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]
    )
    for entry in waiting:
        remove_from_waitlist(entry=entry)
    return len(waiting)


def erase_patient(*, patient: Patient, erased_by, now: datetime | None = None) -> Erasure:
    """Erase a patient: identity and contact now, clinical records at the retention date.

    See the module docstring for what goes when. One transaction: all of it or none. Safe to
    call twice: a patient already erased gets their first erasure back, unchanged.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Two erasures of one patient queue here; the second then finds the first's row. (No
        # select_related: PostgreSQL cannot lock the nullable side of the join to the user.)
        patient = Patient.objects.select_for_update().get(pk=patient.pk)
        existing = Erasure.objects.filter(patient_id=patient.pk).first()
        if existing is not None:
            return existing

        last_contact, retain_until = _retention_of(patient, now)
        # An UPDATE, not save(): a history snapshot of this change would keep the old values.
        Patient.objects.filter(pk=patient.pk).update(**ANONYMOUS, **NO_CONTACT, updated_at=now)
        patient.refresh_from_db()
        sign_in_closed = _close_account(patient)
        # Off the waiting list first, so the times freed below are not offered back to them.
        closed_entries = _leave_waiting_list(patient)
        cancelled = _cancel_future_bookings(patient, erased_by, now)
        discontinued = []
        for plan in TreatmentPlan.objects.filter(patient=patient, status__in=OPEN_STATUSES):
            discontinue_plan(
                plan=plan,
                discontinued_by=erased_by,
                reason="The patient asked for their data to be erased.",
                now=now,
            )
            discontinued.append(plan.pk)
        silenced = forget_patient(patient_id=patient.pk, initials=ANONYMOUS_INITIALS, now=now)
        scrubbed = scrub_history(model=Patient, patient_id=patient.pk, replacements=ANONYMOUS)
        scrubbed += _anonymise_consents(patient)

        summary = {
            "patient": patient.pk,
            "erased_at": now.isoformat(),
            "erased_now": {
                "identity_fields": [*ANONYMOUS, *NO_CONTACT],
                "sign_in_closed": sign_in_closed,
                "cancelled_bookings": cancelled,
                "discontinued_plans": discontinued,
                "waiting_list_entries_closed": closed_entries,
                "feeds_deleted": silenced["feeds_deleted"],
                "messages_withdrawn": silenced["messages_withdrawn"],
                "history_entries_scrubbed": scrubbed,
            },
            "kept_until_retention": _records_kept(patient),
            "last_contact": last_contact.isoformat() if last_contact else None,
            "retain_until": retain_until.isoformat(),
        }
        erasure = Erasure.objects.create(
            patient_id=patient.pk,
            clinic_id=patient.clinic_id,
            erased_at=now,
            erased_by=acting_user(erased_by),
            last_contact=last_contact,
            retain_until=retain_until,
            summary=summary,
        )
        record_rights_event(
            actor=acting_user(erased_by),
            patient_id=patient.pk,
            clinic_id=patient.clinic_id,
            action=RightsAction.ERASED,
            object_type="erasure",
            details=[
                {"field": "retain_until", "old": None, "new": summary["retain_until"]},
                {"field": "cancelled_bookings", "old": None, "new": len(cancelled)},
                {"field": "sign_in_closed", "old": None, "new": sign_in_closed},
            ],
        )
    return erasure


def is_erased(patient: Patient) -> bool:
    """Whether the patient has been erased. Free for a patient with an email or phone on file
    (every erased patient has neither), so the check costs real patients no query."""
    if patient.email or patient.phone:
        return False
    return Erasure.objects.filter(patient_id=patient.pk).exists()


def refuse_erased_patient(*, treatment, patient, start, apply_policy: bool) -> None:
    """Eligibility check (booking.extensions, added in PrivacyConfig.ready): an erased patient cannot
    be booked, which would bring back contact and extend a record that is due to go."""
    if is_erased(patient):
        raise errors.PatientErased()


# --- the retention purge ----------------------------------------------------------------------


def _delete_clinical_records(patient: Patient) -> dict[str, int]:
    """Delete the patient's clinical records, children before what they point at (most links
    are PROTECT: nothing clinical can vanish by accident elsewhere). Returns rows deleted per
    model ("sessionnotes.sessionnote": 3, cascades included)."""
    deleted: dict[str, int] = {}
    for queryset in (
        Amendment.objects.filter(note__patient=patient),
        SafetyAlert.objects.filter(patient=patient),
        SessionNote.objects.filter(patient=patient),
        ExerciseLog.objects.filter(plan__patient=patient),
        OutcomeRecord.objects.filter(plan__patient=patient),
        TreatmentPlan.objects.filter(patient=patient),
        NeedlingConsent.objects.filter(patient=patient),
        NeedlingScreening.objects.filter(patient=patient),
        WaitlistEntry.objects.filter(patient=patient),
        Booking.objects.filter(patient=patient),
    ):
        _, per_model = queryset.delete()
        for label, count in per_model.items():
            if count:
                deleted[label.lower()] = deleted.get(label.lower(), 0) + count
    deleted["notifications.notification"] = delete_patient_messages(patient_id=patient.pk)
    return deleted


def purge_erased_patient(*, erasure_id: int, today: date | None = None) -> Erasure | None:
    """Delete what is left of one erased patient once their retention date has passed: the
    clinical records, the patient row, their closed login and the change history of all of it.
    What stays is the Erasure row and the trail's data-rights events and reads (plain ids and
    staff names, nothing about who the patient was).

    Returns the Erasure if this call purged it; None if it was not due or already purged (so
    two runs racing, or a run repeated, delete once).
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        erasure = (
            Erasure.objects.select_for_update()
            .filter(pk=erasure_id, purged_at__isnull=True, retain_until__lt=today)
            .first()
        )
        if erasure is None:
            return None
        patient = Patient.objects.select_related("user").filter(pk=erasure.patient_id).first()
        deleted: dict[str, int] = {}
        if patient is not None:
            deleted = _delete_clinical_records(patient)
            user = patient.user
            patient.delete()
            deleted["booking.patient"] = 1
            with lawful_removal():
                deleted["history_entries"] = sum(forget_history_of(erasure.patient_id).values())
                if user is not None and not user.is_active and not user.has_usable_password():
                    # The login closed at erasure; its own trail rows point at no one now.
                    get_user_model().objects.filter(pk=user.pk).delete()
        erasure.purged_at = timezone.now()
        erasure.purged = deleted
        erasure.save(update_fields=["purged_at", "purged"])
        record_rights_event(
            actor=None,
            patient_id=erasure.patient_id,
            clinic_id=erasure.clinic_id,
            action=RightsAction.PURGED,
            object_type="retention_purge",
            details=[
                {"field": name, "old": count, "new": 0}
                for name, count in sorted(deleted.items())
                if count
            ],
        )
    return erasure


def purge_expired_records(*, today: date | None = None) -> list[int]:
    """The daily purge: every erased patient whose retention date has passed, each in its own
    transaction. Idempotent. Returns the patient ids purged by this run."""
    today = today or timezone.localdate()
    due = Erasure.objects.filter(purged_at__isnull=True, retain_until__lt=today).order_by("pk")
    purged = []
    for erasure_id in due.values_list("pk", flat=True):
        erasure = purge_erased_patient(erasure_id=erasure_id, today=today)
        if erasure is not None:
            purged.append(erasure.patient_id)
    return purged
