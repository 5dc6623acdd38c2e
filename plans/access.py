"""The one gate for clinical reads: who treats a patient, and every staff read of clinical content.

Clinical content is special-category health data (UK GDPR Art. 9): screening answers and
consents, a plan's clinical fields (condition, notes, goals, phases, exercises, preferences,
needling clearance), outcome scores, progress, adherence and exercise logs. Staff read it only
when they treat the patient, and each such read is recorded in the audit trail.

Who treats a patient (their care team):
- a therapist they are booked with (any booking that was not cancelled),
- the lead therapist, the named (preferred) therapist and the care team of any of their plans,
- every therapist at one of the patient's clinics that shares clinical records among its
  clinicians (`Clinic.share_clinical_records`, off by default; clinic admins decide);
- superusers (the service's operators). Their reads are recorded like everyone else's.

Care-team links count only at clinics where the therapist still holds the therapist role: a
therapist who has left a clinic no longer reads the records of the patients they saw there.
Receptionists and clinic admins without a therapist role never treat anyone: they see the
scheduling side of plans and no clinical content.

The patient always reads their own records; those reads are not staff reads and are not
recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q, QuerySet

from audit.services import record_reads
from booking.models import Booking, BookingStatus, Clinic, ClinicMembership, Patient, StaffRole
from booking.selectors import Access

from . import errors
from .models import NeedlingScreening, TreatmentPlan


def _clinics_where_therapist(user) -> QuerySet:
    return ClinicMembership.objects.filter(user=user, role=StaffRole.THERAPIST).values("clinic_id")


def patients_treated_by(user) -> QuerySet[Patient]:
    """The patients whose clinical records `user` may read as staff (see the module docstring)."""
    if not (user and user.is_authenticated):
        return Patient.objects.none()
    if user.is_superuser:
        return Patient.objects.all()
    therapist_at = _clinics_where_therapist(user)
    sharing = Clinic.objects.filter(pk__in=therapist_at, share_clinical_records=True).values("pk")
    booked_with = Booking.objects.filter(therapist__user=user, clinic_id__in=therapist_at).exclude(
        status=BookingStatus.CANCELLED
    )
    in_plan = TreatmentPlan.objects.filter(clinic_id__in=therapist_at).filter(
        Q(lead_therapist__user=user) | Q(preferred_therapist__user=user) | Q(care_team__user=user)
    )
    sharing_booked = Booking.objects.filter(clinic_id__in=sharing)
    return Patient.objects.filter(
        Q(pk__in=booked_with.values("patient_id"))
        | Q(pk__in=in_plan.values("patient_id"))
        | Q(clinic_id__in=sharing)
        | Q(pk__in=sharing_booked.values("patient_id"))
    )


def treats(user, patient: Patient) -> bool:
    """Whether `user` is in `patient`'s care team (may read their clinical records as staff)."""
    return patients_treated_by(user).filter(pk=patient.pk).exists()


def is_clinician_at(access: Access, clinic_id: int) -> bool:
    """A therapist at the clinic (or a superuser): may record new clinical content there."""
    return access.has_role(clinic_id, StaffRole.THERAPIST)


def is_clinician_anywhere(access: Access) -> bool:
    return access.is_superuser or any(
        StaffRole.THERAPIST in roles for roles in access.roles.values()
    )


class PlanAccess:
    """What one user may do with one plan (reading its clinical content: the gate below)."""

    def __init__(self, access: Access, plan: TreatmentPlan):
        self.access = access
        self.plan = plan

    @property
    def is_patient(self) -> bool:
        return self.access.patient is not None and self.access.patient.pk == self.plan.patient_id

    @cached_property
    def may_change(self) -> bool:
        """A therapist at the plan's clinic who treats the patient."""
        return is_clinician_at(self.access, self.plan.clinic_id) and treats(
            self.access.user, self.plan.patient
        )

    @property
    def is_staff(self) -> bool:
        return self.access.is_staff_at(self.plan.clinic_id)

    @property
    def may_schedule(self) -> bool:
        """Clinicians, the clinic's reception and the patient may book the plan's sessions."""
        return self.may_change or self.access.manages(self.plan.clinic_id) or self.is_patient


def screenings_visible_to(user) -> QuerySet[NeedlingScreening]:
    """A patient's own screenings, and those of the patients the user treats (wherever the
    screening was recorded: the latest one decides a patient's clearance at every clinic)."""
    screenings = NeedlingScreening.objects.select_related("patient").prefetch_related("consents")
    return screenings.filter(clinical_records_of(user))


def _own_patient_id(user) -> int | None:
    patient = getattr(user, "patient", None) if user and user.is_authenticated else None
    return patient.pk if patient is not None else None


def clinical_records_of(user, field: str = "patient") -> Q:
    """A filter for querysets of clinical records: the user's own and those of patients they
    treat. `field` names the record's patient (e.g. "plan__patient")."""
    own = Q(**{f"{field}__user": user}) if user and user.is_authenticated else Q(pk__in=[])
    return own | Q(**{f"{field}__in": patients_treated_by(user)})


@dataclass(frozen=True)
class ClinicalRecord:
    """One piece of clinical content about to be shown: whose, what kind, which row."""

    patient: Patient
    object_type: str
    object_id: int | None


def readable_clinical_records(
    user, records: Iterable[ClinicalRecord], *, channel: str | None = None
) -> list[ClinicalRecord]:
    """The records `user` may read (their own, or of patients they treat), with every staff read
        among them recorded in the audit trail (audit.services.record_read; `channel` defaults to the
    request's). Use it where unreadable content is left out (a plan shown to reception
        without its clinical fields); use `open_clinical_record` where it must be refused."""
    records = list(records)
    own_id = _own_patient_id(user)
    others = {record.patient.pk for record in records} - {own_id}
    treated = (
        set(patients_treated_by(user).filter(pk__in=others).values_list("pk", flat=True))
        if others
        else set()
    )
    readable = [r for r in records if r.patient.pk == own_id or r.patient.pk in treated]
    staff_reads = [
        (r.patient, r.object_type, r.object_id) for r in readable if r.patient.pk != own_id
    ]
    if staff_reads:
        record_reads(user, staff_reads, channel)
    return readable


def open_clinical_records(
    user, records: Iterable[ClinicalRecord], *, channel: str | None = None
) -> None:
    """Let `user` read all of `records`, or none: raises NotInCareTeam (403) if any belongs to a
    patient they neither are nor treat. Every staff read is recorded."""
    records = list(records)
    if len(readable_clinical_records(user, records, channel=channel)) != len(records):
        raise errors.NotInCareTeam()


def open_clinical_record(
    user,
    patient: Patient,
    *,
    object_type: str,
    object_id: int | None,
    channel: str | None = None,
) -> None:
    """The gate for one clinical record: the patient themself, or staff who treat them (the read
    is then recorded); anyone else gets NotInCareTeam (403)."""
    open_clinical_records(user, [ClinicalRecord(patient, object_type, object_id)], channel=channel)
