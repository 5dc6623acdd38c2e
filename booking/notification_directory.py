"""What booking tells the notifications app about its data.

notifications never imports booking (STYLE §1). Booking pushes an `Appointment` with every
change (`appointment_of`, called by booking's services) and answers a few live questions
through `BookingDirectory`, registered in BookingConfig.ready(); both speak the plain
dataclasses of notifications/directory.py.
"""

from __future__ import annotations

from notifications.directory import Appointment, ClinicInfo, Contact, FeedKind, FeedOwner

from .models import (
    Booking,
    BookingStatus,
    Clinic,
    ClinicMembership,
    Patient,
    Room,
    StaffRole,
    Therapist,
)


def appointment_of(booking: Booking, *, therapist_name: str, room_name: str) -> Appointment:
    """The booking as notifications sees it, built from rows the write path already loaded:
    the booking with its treatment, clinic and patient, and the therapist's and room's names
    (from the availability re-check, or the booking's own joins). No query."""
    return Appointment(
        booking_id=booking.pk,
        version=booking.version,
        cancelled=booking.status == BookingStatus.CANCELLED,
        start=booking.start,
        end=booking.end,
        updated_at=booking.updated_at,
        clinic_id=booking.clinic_id,
        therapist_id=booking.therapist_id,
        room_id=booking.room_id,
        patient_id=booking.patient_id,
        treatment_name=booking.treatment.name,
        therapist_name=therapist_name,
        room_name=room_name,
        clinic_name=booking.treatment.clinic.name,
        patient_initials=booking.patient.initials,
    )


class BookingDirectory:
    """The live questions notifications asks about booking's data (notifications/directory.py)."""

    def contacts(self, patient_ids: set[int]) -> dict[int, Contact]:
        fields = (
            "pk",
            "first_name",
            "email",
            "phone",
            "consents_to_email",
            "consents_to_sms",
            "consents_to_reminders",
        )
        rows = Patient.objects.filter(pk__in=patient_ids).values_list(*fields)
        return {row[0]: Contact(*row) for row in rows}

    def clinics(self, clinic_ids: set[int]) -> dict[int, ClinicInfo]:
        fields = ("pk", "name", "address", "phone", "email", "time_zone")
        return {
            row[0]: ClinicInfo(*row)
            for row in Clinic.objects.filter(pk__in=clinic_ids).values_list(*fields)
        }

    def feed_owners_for(self, user) -> list[FeedOwner]:
        if not (user and user.is_authenticated):
            return []
        owners: list[FeedOwner] = []
        therapist = Therapist.objects.filter(user=user).first()
        if therapist is not None:
            owners += [
                FeedOwner(
                    FeedKind.THERAPIST,
                    therapist.pk,
                    clinic.pk,
                    f"{therapist.full_name} at {clinic.name}",
                )
                for clinic in therapist.clinics.order_by("name")
            ]
        patient = Patient.objects.filter(user=user).first()
        if patient is not None:
            owners.append(FeedOwner(FeedKind.PATIENT, patient.pk, None, "My appointments"))
        if user.is_superuser:
            administered = Clinic.objects.all()
        else:
            administered = Clinic.objects.filter(
                pk__in=ClinicMembership.objects.filter(user=user, role=StaffRole.ADMIN).values(
                    "clinic_id"
                )
            )
        for clinic in administered.order_by("name"):
            owners.append(
                FeedOwner(FeedKind.CLINIC, clinic.pk, clinic.pk, f"{clinic.name}: all appointments")
            )
            owners += [
                FeedOwner(FeedKind.ROOM, room.pk, clinic.pk, f"{clinic.name}: {room.name}")
                for room in Room.objects.filter(clinic=clinic, is_active=True).order_by("name")
            ]
            owners += [
                FeedOwner(FeedKind.THERAPIST, t.pk, clinic.pk, f"{t.full_name} at {clinic.name}")
                for t in clinic.therapists.filter(is_active=True).order_by(
                    "last_name", "first_name"
                )
            ]
        unique: dict[tuple, FeedOwner] = {}
        for owner in owners:
            unique.setdefault((owner.kind, owner.owner_id, owner.clinic_id), owner)
        return list(unique.values())
