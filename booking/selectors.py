"""Reads with a rule in them: who may see and do what, and the querysets scoped to a user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from .models import (
    Block,
    Booking,
    BookingStatus,
    Channel,
    Clinic,
    ClinicMembership,
    Patient,
    Qualification,
    Room,
    StaffRole,
    Therapist,
    Treatment,
)

MANAGER_ROLES = (StaffRole.RECEPTIONIST, StaffRole.ADMIN)


class Access:
    """What one user is: patient, therapist, receptionist or admin at some clinics, superuser."""

    def __init__(self, user):
        self.user = user

    @property
    def is_authenticated(self) -> bool:
        return bool(self.user and self.user.is_authenticated)

    @property
    def is_superuser(self) -> bool:
        return self.is_authenticated and self.user.is_superuser

    @cached_property
    def patient(self) -> Patient | None:
        return getattr(self.user, "patient", None) if self.is_authenticated else None

    @cached_property
    def therapist(self) -> Therapist | None:
        return getattr(self.user, "therapist", None) if self.is_authenticated else None

    @cached_property
    def roles(self) -> dict[int, set[str]]:
        if not self.is_authenticated:
            return {}
        # API requests: loaded with the token (accounts/authentication.py), no query here.
        preloaded = getattr(self.user, "clinic_roles", None)
        if preloaded is not None:
            return preloaded
        roles: dict[int, set[str]] = {}
        for clinic_id, role in ClinicMembership.objects.filter(user=self.user).values_list(
            "clinic_id", "role"
        ):
            roles.setdefault(clinic_id, set()).add(role)
        return roles

    def has_role(self, clinic_id: int, *roles: str) -> bool:
        return self.is_superuser or bool(self.roles.get(clinic_id, set()) & set(roles))

    def manages(self, clinic_id: int) -> bool:
        """Receptionists and admins run a clinic's diary (and may override booking policy)."""
        return self.has_role(clinic_id, *MANAGER_ROLES)

    def administers(self, clinic_id: int) -> bool:
        return self.has_role(clinic_id, StaffRole.ADMIN)

    def is_staff_at(self, clinic_id: int) -> bool:
        return self.has_role(clinic_id, *StaffRole.values)

    @property
    def is_staff_anywhere(self) -> bool:
        return self.is_superuser or bool(self.roles)

    def is_own_therapist_booking(self, booking: Booking) -> bool:
        return self.therapist is not None and booking.therapist_id == self.therapist.pk

    def is_own_patient_booking(self, booking: Booking) -> bool:
        return self.patient is not None and booking.patient_id == self.patient.pk

    def sees_desk_details(self, booking: Booking) -> bool:
        """Reception's side of a booking (its administrative notes, who made it) is for the
        clinic's diary staff and the booking's therapist, never for the patient."""
        return self.manages(booking.clinic_id) or self.is_own_therapist_booking(booking)


def access_for(request) -> Access:
    """One Access per request, so the membership query runs at most once."""
    access = getattr(request, "_physiodesk_access", None)
    if access is None or access.user is not request.user:
        access = Access(request.user)
        request._physiodesk_access = access
    return access


@dataclass(frozen=True)
class BookingTerms:
    """Under which rules one user books at one clinic (see `booking_terms`)."""

    apply_policy: bool  # the clinic's online rules: notice, horizon, online-bookable, patient type
    channel: str
    patient: Patient | None  # the user's own patient record when they book for themself
    therapist: Therapist | None  # a therapist books only into their own diary


def booking_terms(
    access: Access,
    *,
    clinic_id: int,
    patient_id: int | None = None,
    therapist: Therapist | None = None,
    channel: str | None = None,
) -> BookingTerms:
    """Who may book at a clinic, and under which policy and channel.

    - Booking for yourself (no patient named, or your own) is an online booking under the
      clinic's policy, even for staff.
    - Reception and admins book any patient without the policy, on the channel they name
      (the reception desk by default).
    - A therapist who works there books any patient into their own diary only, without the
      policy, on the therapist channel.
    - Anyone else may not book there (PermissionDenied, 403).
    """
    if access.patient is not None and patient_id in (None, access.patient.pk):
        return BookingTerms(True, Channel.ONLINE, access.patient, therapist)
    if access.manages(clinic_id):
        return BookingTerms(False, channel or Channel.RECEPTION, None, therapist)
    if access.therapist is not None and access.is_staff_at(clinic_id):
        if therapist is not None and therapist.pk != access.therapist.pk:
            raise PermissionDenied("Therapists book only into their own diary.")
        return BookingTerms(False, Channel.THERAPIST, None, access.therapist)
    raise PermissionDenied("You cannot book at this clinic.")


def change_policy(access: Access, booking: Booking, *, patients_may: bool) -> bool:
    """Whether `access` may act on an existing booking; returns whether booking policy applies.

    The clinic's reception and admins, and the booking's own therapist, act without the policy;
    the booking's patient acts under it where `patients_may` (cancel, move). Anyone else gets
    PermissionDenied (403).
    """
    if access.manages(booking.clinic_id) or access.is_own_therapist_booking(booking):
        return False
    if patients_may and access.is_own_patient_booking(booking):
        return True
    raise PermissionDenied("You cannot change this booking.")


def late_window_opens(start: datetime, clinic: Clinic) -> datetime:
    """When a session's late-cancellation window opens (the clinic's hours before its start).

    Cancelling after this, and before the start, is recorded as late; from then on a patient
    can no longer move the session online.
    """
    return start - timedelta(hours=clinic.late_cancellation_hours)


def is_late_cancellation(booking: Booking, *, clinic: Clinic, now: datetime) -> bool:
    """Whether cancelling `booking` at `now` is a late cancellation (`clinic` is its clinic)."""
    return late_window_opens(booking.start, clinic) < now < booking.start


def block_clinic_ids(
    *, clinic_id: int | None, room: Room | None, therapist: Therapist | None
) -> list[int]:
    """The clinics a block belongs to: those whose staff may set or remove it, and whose
    diaries it closes. The clinic it names; else its room's; else every clinic its therapist
    works at."""
    if clinic_id is not None:
        return [clinic_id]
    if room is not None:
        return [room.clinic_id]
    if therapist is not None:
        return list(therapist.clinics.values_list("pk", flat=True))
    return []


def clinic_ids_of_block(block: Block) -> list[int]:
    """`block_clinic_ids` of a saved block (its room and therapist are read only if needed)."""
    if block.clinic_id is not None:
        return [block.clinic_id]
    return block_clinic_ids(clinic_id=None, room=block.room, therapist=block.therapist)


def _managed_clinics(user):
    return ClinicMembership.objects.filter(user=user, role__in=MANAGER_ROLES).values("clinic_id")


def _staff_clinics(user):
    return ClinicMembership.objects.filter(user=user).values("clinic_id")


def bookings_visible_to(user) -> QuerySet[Booking]:
    """Patients see their own; therapists their own diary; receptionists and admins their clinics'."""
    bookings = Booking.objects.select_related("treatment", "clinic")
    if user.is_superuser:
        return bookings
    return bookings.filter(
        Q(patient__user=user) | Q(therapist__user=user) | Q(clinic_id__in=_managed_clinics(user))
    )


def patients_visible_to(user) -> QuerySet[Patient]:
    """A patient sees themself; staff see patients of their clinics; therapists their patients."""
    patients = Patient.objects.all()
    if user.is_superuser:
        return patients
    managed = _managed_clinics(user)
    # A UNION of indexed id lists, not one OR across the bookings join: that form read every
    # booking of the network (bench/scale.py --explain, 2.4 million bookings).
    ids = (
        Patient.objects.filter(Q(user=user) | Q(clinic_id__in=managed))
        .order_by()
        .values("pk")
        .union(
            Booking.objects.filter(clinic_id__in=managed).order_by().values("patient_id"),
            Booking.objects.filter(therapist__user=user).order_by().values("patient_id"),
        )
    )
    return patients.filter(pk__in=ids)


def patients_nameable_by(user, clinic_id: int) -> QuerySet[Patient]:
    """The patients a member of staff may book in at `clinic_id` (where they are staff): those
    they can already see, and those registered at that clinic. Anyone else's id is answered
    like an unknown one, so a booking can never widen what a clinic sees, nor reveal which ids
    exist elsewhere."""
    return Patient.objects.filter(
        Q(pk__in=patients_visible_to(user).values("pk")) | Q(clinic_id=clinic_id)
    )


def treatment_for_booking(pk: int, *, therapist_id: int | None = None) -> Treatment | None:
    """The treatment with its clinic and required qualifications, in one query, for booking it.

    The qualifications (read by the dry-needling rule and by the booking's warnings) come
    joined to the treatment's row and are put where `treatment.required_qualifications.all()`
    finds them, as a prefetch would without its second query. With `therapist_id`, the
    treatment's `therapist_found` says whether that therapist exists (same query)."""
    rows = Treatment.objects.select_related("clinic").filter(pk=pk)
    rows = rows.annotate(
        rq_id=F("required_qualifications__id"),
        rq_code=F("required_qualifications__code"),
        rq_name=F("required_qualifications__name"),
    )
    if therapist_id is not None:
        rows = rows.annotate(therapist_found=Exists(Therapist.objects.filter(pk=therapist_id)))
    rows = list(rows)
    if not rows:
        return None
    treatment = rows[0]
    qualifications = treatment.required_qualifications.all()
    found = sorted((r.rq_name, r.rq_id, r.rq_code) for r in rows if r.rq_id is not None)
    qualifications._result_cache = [
        Qualification.from_db(Qualification.objects.db, ["id", "code", "name"], (pk, code, name))
        for name, pk, code in found
    ]
    qualifications._prefetch_done = True
    treatment._prefetched_objects_cache = {"required_qualifications": qualifications}
    return treatment


def nameable_patient(user, clinic_id: int, patient_id: int) -> Patient | None:
    """`patients_nameable_by(user, clinic_id)` for one id: the same rule, asked of that one
    patient with indexed EXISTS look-ups instead of the UNION of every visible patient's id
    (which read every booking of the user's clinics: 10 ms at 20,000 bookings)."""
    patients = Patient.objects.filter(pk=patient_id)
    if not user.is_superuser:
        managed = _managed_clinics(user)
        patients = patients.filter(
            Q(clinic_id=clinic_id)
            | Q(user=user)
            | Q(clinic_id__in=managed)
            | Exists(Booking.objects.filter(patient_id=OuterRef("pk"), clinic_id__in=managed))
            | Exists(Booking.objects.filter(patient_id=OuterRef("pk"), therapist__user=user))
        )
    return patients.first()


def treatments_visible_to(user) -> QuerySet[Treatment]:
    """Everyone sees what can be booked online; staff also see their clinics' other treatments."""
    treatments = Treatment.objects.select_related("clinic").prefetch_related(
        "required_qualifications", "required_room_features"
    )
    if user.is_authenticated and user.is_superuser:
        return treatments
    public = Q(is_active=True, online_bookable=True)
    if user.is_authenticated:
        return treatments.filter(public | Q(clinic_id__in=_staff_clinics(user)))
    return treatments.filter(public)


def clinics_administered_by(user) -> QuerySet[Clinic]:
    if user.is_superuser:
        return Clinic.objects.all()
    return Clinic.objects.filter(
        pk__in=ClinicMembership.objects.filter(user=user, role=StaffRole.ADMIN).values("clinic_id")
    )


def blocks_visible_to(user) -> QuerySet[Block]:
    """Staff see their clinics' blocks; a therapist also sees their own time off anywhere."""
    blocks = Block.objects.select_related("therapist", "room")
    if user.is_superuser:
        return blocks
    return blocks.filter(Q(clinic_id__in=_staff_clinics(user)) | Q(therapist__user=user))


def future_bookings_of(resource: Therapist | Room, *, now: datetime | None = None):
    """A therapist's or room's bookings still to happen or under way (booked or arrived).

    What has to be moved or cancelled before deactivating them, soonest first.
    """
    scope = Q(therapist=resource) if isinstance(resource, Therapist) else Q(room=resource)
    return (
        Booking.objects.filter(scope, end__gt=now or timezone.now())
        .filter(status__in=[BookingStatus.CONFIRMED, BookingStatus.ARRIVED])
        .select_related("patient", "treatment", "clinic")
        .order_by("start", "pk")
    )
