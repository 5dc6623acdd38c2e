"""Who may exercise a patient's data rights and read their audit trail: the clinic's admins
(and, for their own export, the patient); and who has opened a patient's clinical record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.db.models.functions import TruncDate
from rest_framework.exceptions import NotFound, PermissionDenied

from audit.selectors import record_reads_of
from booking.models import ClinicMembership, Patient, Profession, StaffRole, Therapist
from booking.selectors import access_for, patients_visible_to


def patient_administered_by(request, patient_id: int) -> Patient:
    """The patient, if the caller is an admin of their home clinic or a superuser.

    404 when the caller cannot see the patient at all (so ids cannot be probed), 403 when they
    can see them but are not an admin of the patient's clinic.
    """
    patient = (
        patients_visible_to(request.user).select_related("clinic").filter(pk=patient_id).first()
    )
    if patient is None:
        raise NotFound("No such patient.")
    if not access_for(request).administers(patient.clinic_id):
        raise PermissionDenied("Only an admin of the patient's clinic may do this.")
    return patient


def patient_exportable_by(request, patient_id: int) -> tuple[Patient, bool]:
    """The patient whose data the caller may export, and whether it is the caller's own.

    The patient themself (subject access), or an admin of their clinic or a superuser; else
    404/403 as in patient_administered_by.
    """
    own = access_for(request).patient
    if own is not None and own.pk == patient_id:
        return Patient.objects.select_related("clinic").get(pk=own.pk), True
    return patient_administered_by(request, patient_id), False


@dataclass(frozen=True)
class RecordOpening:
    """Someone at the clinic opened the patient's clinical record on a day (`times` times)."""

    name: str
    role: str
    day: date
    times: int


# A reader with several roles at the clinic is shown by the one that explains the read.
ROLE_ORDER = (StaffRole.THERAPIST, StaffRole.ADMIN, StaffRole.RECEPTIONIST)
OPERATOR_ROLE = "physiodesk support"
FORMER_STAFF_ROLE = "Former staff member"


def _readers(reads: list[dict]) -> tuple[set[int], dict[int, tuple[str, str, str]]]:
    """The readers' user ids, and the therapists among them: user id -> (profession, first
    name, last name), in one query for both the roles and the names shown."""
    user_ids = {read["actor_id"] for read in reads if read["actor_id"] is not None}
    therapists = {
        user_id: (profession, first, last)
        for user_id, profession, first, last in Therapist.objects.filter(
            user_id__in=user_ids
        ).values_list("user_id", "profession", "first_name", "last_name")
    }
    return user_ids, therapists


def _roles(
    reads: list[dict], user_ids: set[int], therapists: dict[int, tuple[str, str, str]]
) -> dict[tuple[int, int | None], str]:
    """(user id, clinic id) -> the role shown, in two more queries however many readers."""
    held: dict[tuple[int, int], set[str]] = {}
    for user_id, clinic_id, role in ClinicMembership.objects.filter(
        user_id__in=user_ids
    ).values_list("user_id", "clinic_id", "role"):
        held.setdefault((user_id, clinic_id), set()).add(role)
    professions = {user_id: facts[0] for user_id, facts in therapists.items()}
    operators = set(
        get_user_model()
        .objects.filter(pk__in=user_ids, is_superuser=True)
        .values_list("pk", flat=True)
    )
    roles = {}
    for read in reads:
        key = (read["actor_id"], read["clinic_id"])
        mine = held.get(key, set())
        role = next((r for r in ROLE_ORDER if r in mine), None)
        if role == StaffRole.THERAPIST and professions.get(read["actor_id"]):
            roles[key] = Profession(professions[read["actor_id"]]).label
        elif role is not None:
            roles[key] = StaffRole(role).label
        elif read["actor_id"] in operators:
            roles[key] = OPERATOR_ROLE
        else:
            roles[key] = FORMER_STAFF_ROLE
    return roles


STAFF_MEMBER = "A member of staff"


def _names(reads: list[dict], therapists: dict[int, tuple[str, str, str]]) -> dict[int | None, str]:
    """The name a patient is shown for each reader: a therapist's own name, else the name kept
    with the read, never a login that is an email address (or any other contact detail)."""
    own = {user_id: f"{first} {last}".strip() for user_id, (_, first, last) in therapists.items()}
    names = {}
    for read in reads:
        kept = read["actor_name"]
        names[read["actor_id"]] = own.get(read["actor_id"]) or (
            kept if kept and "@" not in kept else STAFF_MEMBER
        )
    return names


def record_openings(patient: Patient, *, limit: int = 50) -> list[RecordOpening]:
    """Who at the clinic has opened `patient`'s clinical record, one line per person and day,
    newest first (what the NHS app shows). Staff names and roles only (see _names); the read log
    (audit.RecordRead) has the detail for the clinic's admins."""
    tz = patient.clinic.tz
    reads = list(
        record_reads_of(patient.pk)
        .annotate(day=TruncDate("at", tzinfo=tz))
        .values("actor_id", "actor_name", "clinic_id", "day")
        .annotate(times=Count("id"))
        .order_by("-day", "actor_name")[:limit]
    )
    user_ids, therapists = _readers(reads)
    roles = _roles(reads, user_ids, therapists)
    names = _names(reads, therapists)
    return [
        RecordOpening(
            name=names[read["actor_id"]],
            role=roles[(read["actor_id"], read["clinic_id"])],
            day=read["day"],
            times=read["times"],
        )
        for read in reads
    ]
