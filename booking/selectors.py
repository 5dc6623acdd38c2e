"""Reads with a rule in them: who may see and do what, and the querysets scoped to a user."""

from __future__ import annotations

from functools import cached_property

from django.db.models import Q, QuerySet

from .models import (
    Block,
    Booking,
    Clinic,
    ClinicMembership,
    Patient,
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


def access_for(request) -> Access:
    """One Access per request, so the membership query runs at most once."""
    access = getattr(request, "_physiodesk_access", None)
    if access is None or access.user is not request.user:
        access = Access(request.user)
        request._physiodesk_access = access
    return access


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
    ids = Patient.objects.filter(
        Q(user=user)
        | Q(clinic_id__in=managed)
        | Q(bookings__clinic_id__in=managed)
        | Q(bookings__therapist__user=user)
    ).values("pk")
    return patients.filter(pk__in=ids)


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
