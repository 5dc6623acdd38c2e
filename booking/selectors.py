"""Reads with a rule in them: who may see and do what, and the querysets scoped to a user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db import connections
from django.db.models import Q, QuerySet
from django.db.models.expressions import Col
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


def managed_clinic_ids(user):
    """The clinics whose diary `user` runs (reception or admin), as a subquery of ids."""
    return ClinicMembership.objects.filter(user=user, role__in=MANAGER_ROLES).values("clinic_id")


def _staff_clinics(user):
    return ClinicMembership.objects.filter(user=user).values("clinic_id")


def bookings_visible_to(user) -> QuerySet[Booking]:
    """Patients see their own; therapists their own diary; receptionists and admins their clinics'."""
    bookings = Booking.objects.select_related("treatment", "clinic")
    if user.is_superuser:
        return bookings
    return bookings.filter(
        Q(patient__user=user) | Q(therapist__user=user) | Q(clinic_id__in=managed_clinic_ids(user))
    )


def patients_visible_to(user) -> QuerySet[Patient]:
    """A patient sees themself; staff see patients of their clinics; therapists their patients."""
    patients = Patient.objects.all()
    if user.is_superuser:
        return patients
    managed = managed_clinic_ids(user)
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


def _loaded(model, values, connection):
    """A model instance from a raw row of its concrete columns (as the ORM would convert them)."""
    fields = model._meta.concrete_fields
    converted = []
    for field, value in zip(fields, values, strict=True):
        column = Col(model._meta.db_table, field)
        for convert in connection.ops.get_db_converters(column) + column.get_db_converters(
            connection
        ):
            value = convert(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, [f.attname for f in fields], converted)


def treatment_for_booking(pk: int, *, therapist_id: int | None = None) -> Treatment | None:
    """The treatment with its clinic and required qualifications, in one query, for booking it.

    The qualifications (read by the dry-needling rule and by the booking's warnings) come
    joined to the treatment's row and are put where `treatment.required_qualifications.all()`
    finds them, as a prefetch would without its second query. With `therapist_id`, the
    treatment's `therapist_found` says whether that therapist exists (same query).

    Written as SQL over the models' own column lists: the same query built with the ORM
    (select_related, annotations through the many-to-many) cost more to compile than to run, on
    every booking."""
    connection = connections[Treatment.objects.db]
    quote = connection.ops.quote_name
    treatment_columns = [f"t.{quote(f.column)}" for f in Treatment._meta.concrete_fields]
    clinic_columns = [f"c.{quote(f.column)}" for f in Clinic._meta.concrete_fields]
    through = Treatment.required_qualifications.through._meta.db_table
    found = f"EXISTS (SELECT 1 FROM {Therapist._meta.db_table} WHERE id = %s)"  # noqa: S608
    sql = (
        f"SELECT {', '.join(treatment_columns + clinic_columns)}, q.id, q.code, q.name, "  # noqa: S608
        f"{found if therapist_id is not None else 'NULL'} "
        f"FROM {Treatment._meta.db_table} t JOIN {Clinic._meta.db_table} c ON c.id = t.clinic_id "
        f"LEFT JOIN {through} rq ON rq.treatment_id = t.id "
        f"LEFT JOIN {Qualification._meta.db_table} q ON q.id = rq.qualification_id "
        "WHERE t.id = %s ORDER BY q.name"
    )
    params = ([therapist_id] if therapist_id is not None else []) + [pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return None
    split = len(treatment_columns)
    ends = split + len(clinic_columns)
    treatment = _loaded(Treatment, rows[0][:split], connection)
    treatment.clinic = _loaded(Clinic, rows[0][split:ends], connection)
    treatment.therapist_found = bool(rows[0][-1]) if therapist_id is not None else None
    qualifications = treatment.required_qualifications.all()
    qualifications._result_cache = [
        Qualification.from_db(connection.alias, ["id", "code", "name"], row[ends : ends + 3])
        for row in rows
        if row[ends] is not None
    ]
    qualifications._prefetch_done = True
    treatment._prefetched_objects_cache = {"required_qualifications": qualifications}
    return treatment


def nameable_patient(access: Access, clinic_id: int, patient_id: int) -> Patient | None:
    """The patient a member of staff names in a booking at `clinic_id`, if they may: registered
    at that clinic, or visible to them (their own record, registered or booked at a clinic they
    manage, booked with them as therapist). None for anyone else, so an id from elsewhere is
    answered like an unknown one.

    One statement, written as SQL with the user's managed clinics (loaded with their token) as
    values: the UNION of every visible patient's id read every booking of the clinic (10 ms at
    20,000 bookings), and the same rule built with the ORM cost more to compile than to run."""
    if access.is_superuser:
        return Patient.objects.filter(pk=patient_id).first()
    managed = sorted(c for c, roles in access.roles.items() if roles & set(MANAGER_ROLES))
    clinics = [clinic_id, *managed]
    params: list = [patient_id, *clinics, access.user.pk]
    booked_here = ""
    if managed:
        booked_here = f"b.clinic_id IN ({', '.join(['%s'] * len(managed))}) OR "
        params += managed
    params.append(access.user.pk)
    sql = (
        f"SELECT * FROM {Patient._meta.db_table} p WHERE p.id = %s AND ("  # noqa: S608
        f"p.clinic_id IN ({', '.join(['%s'] * len(clinics))}) OR p.user_id = %s "
        f"OR EXISTS (SELECT 1 FROM {Booking._meta.db_table} b WHERE b.patient_id = p.id AND ("
        f"{booked_here}b.therapist_id IN "
        f"(SELECT t.id FROM {Therapist._meta.db_table} t WHERE t.user_id = %s))))"
    )
    return next(iter(Patient.objects.raw(sql, params)), None)


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
