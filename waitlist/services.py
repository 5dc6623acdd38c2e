"""Every write to the waiting list that carries a rule: join, offer freed time, decline, remove,
book an offer.

Booking rules stay in booking.services; booking an offer calls book_session and closes the entry
in the same transaction. Time freed anywhere in the diary reaches `offer_freed_time` through
booking's time-freed hook (registered in WaitlistConfig.ready), once, after the change commits.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from booking.availability import Availability, Slot, qualified_therapists
from booking.events import FreedTime
from booking.models import Booking, Channel, Clinic, Patient, Therapist, Treatment
from booking.services import book_session
from core.users import acting_user

from . import errors
from .models import PartOfDay, WaitlistEntry, WaitlistStatus

# offer_freed_slot looks at this many waiting entries at most, oldest first.
OFFER_CANDIDATES = 20


def add_to_waitlist(
    *,
    patient: Patient,
    treatment: Treatment,
    earliest: date,
    latest: date | None = None,
    therapist: Therapist | None = None,
    part_of_day: str = PartOfDay.ANY,
    notes: str = "",
    added_by=None,
) -> WaitlistEntry:
    """Put a patient on the clinic's waiting list for a treatment (and perhaps a therapist).

    Raises WaitlistRuleBroken for impossible wishes and AlreadyWaiting when the patient already
    has an open entry for the treatment; nothing is written then.
    """
    if latest is not None and latest < earliest:
        raise errors.WaitlistRuleBroken("The last day must be on or after the first day.")
    if therapist is not None and not (
        qualified_therapists(treatment)
        .filter(pk=therapist.pk, clinics=treatment.clinic_id)
        .exists()
    ):
        raise errors.WaitlistRuleBroken(
            f"{therapist.full_name} does not offer {treatment.name} at {treatment.clinic.name}."
        )
    try:
        with transaction.atomic():
            return WaitlistEntry.objects.create(
                clinic_id=treatment.clinic_id,
                patient=patient,
                treatment=treatment,
                therapist=therapist,
                earliest=earliest,
                latest=latest,
                part_of_day=part_of_day,
                notes=notes,
                created_by=acting_user(added_by),
            )
    except IntegrityError as exc:
        raise errors.AlreadyWaiting() from exc


def fits_part_of_day(part_of_day: str, local_start: time) -> bool:
    if part_of_day == PartOfDay.MORNING:
        return local_start < time(12)
    if part_of_day == PartOfDay.AFTERNOON:
        return time(12) <= local_start < time(17)
    if part_of_day == PartOfDay.EVENING:
        return local_start >= time(17)
    return True


def _freed_slot_for(
    entry: WaitlistEntry, *, therapist_id: int, start: datetime, end: datetime, now
) -> Slot | None:
    """The free slot of the entry's treatment that uses the freed time, closest to its start."""
    treatment = entry.treatment
    clinic = treatment.clinic
    availability = Availability(
        treatment=treatment,
        window_start=start - treatment.duration,
        window_end=end,
        therapist_id=therapist_id,
        patient_id=entry.patient_id,
        apply_policy=False,
        now=now,
    )
    fitting = []
    for slot in availability.slots():
        if not (slot.start < end and slot.end > start):
            continue
        local = slot.start.astimezone(clinic.tz)
        if local.date() < entry.earliest or (entry.latest and local.date() > entry.latest):
            continue
        if not fits_part_of_day(entry.part_of_day, local.time()):
            continue
        fitting.append(slot)
    return min(fitting, key=lambda slot: abs(slot.start - start), default=None)


def offer_freed_slot(
    *,
    clinic: Clinic,
    therapist_id: int,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
) -> list[WaitlistEntry]:
    """Offer time that has just been freed (a cancellation, or a booking moved away) to waiters.

    `start`/`end` are the freed therapist's time (the old booking's blocked time, buffers
    included). Each waiting entry of the clinic, oldest first, whose therapist wish allows the
    freed therapist is matched against the slots the availability engine finds free *now* in
    that time: the treatment's qualification, room and buffers, the patient's other sessions,
    the entry's days and part of the day. A matching entry becomes `offered` with the slot
    closest to the freed start. Several entries may be offered one slot; the first booked wins
    (book_from_waitlist returns the others to waiting).

    Returns the entries offered. Safe to call twice: the second call finds them no longer
    waiting. Entries already holding an offer are left alone.
    """
    now = now or timezone.now()
    if end <= now:
        return []
    tz = clinic.tz
    first_day = max(start, now).astimezone(tz).date()
    last_day = end.astimezone(tz).date()
    candidates = (
        WaitlistEntry.objects.filter(
            clinic=clinic,
            status=WaitlistStatus.WAITING,
            treatment__is_active=True,
            earliest__lte=last_day,
        )
        .filter(Q(therapist__isnull=True) | Q(therapist_id=therapist_id))
        .filter(Q(latest__isnull=True) | Q(latest__gte=first_day))
        .select_related("treatment__clinic")
        .order_by("created_at", "id")[:OFFER_CANDIDATES]
    )
    offered = []
    for entry in candidates:
        slot = _freed_slot_for(entry, therapist_id=therapist_id, start=start, end=end, now=now)
        if slot is None:
            continue
        # Conditional update: a concurrent call that offered this entry first wins.
        claimed = WaitlistEntry.objects.filter(pk=entry.pk, status=WaitlistStatus.WAITING).update(
            status=WaitlistStatus.OFFERED,
            offered_start=slot.start,
            offered_therapist_id=slot.therapist_id,
            offered_at=now,
            updated_at=now,
        )
        if claimed:
            entry.refresh_from_db()
            offered.append(entry)
    return offered


def offer_freed_time(freed: FreedTime) -> list[WaitlistEntry]:
    """booking.events listener: offer time freed anywhere (API, pages, admin, plans)."""
    clinic = Clinic.objects.filter(pk=freed.clinic_id).first()
    if clinic is None:
        return []
    return offer_freed_slot(
        clinic=clinic, therapist_id=freed.therapist_id, start=freed.start, end=freed.end
    )


def _reopen(queryset) -> int:
    return queryset.update(
        status=WaitlistStatus.WAITING,
        offered_start=None,
        offered_therapist=None,
        offered_at=None,
        updated_at=timezone.now(),
    )


def decline_offer(*, entry: WaitlistEntry) -> WaitlistEntry:
    """The patient does not want the offered slot: back to waiting. Safe to call twice."""
    _reopen(WaitlistEntry.objects.filter(pk=entry.pk, status=WaitlistStatus.OFFERED))
    entry.refresh_from_db()
    return entry


def remove_from_waitlist(*, entry: WaitlistEntry) -> WaitlistEntry:
    """Take an open entry off the list. Safe to call twice; a booked entry stays booked."""
    WaitlistEntry.objects.filter(
        pk=entry.pk, status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]
    ).update(status=WaitlistStatus.REMOVED, updated_at=timezone.now())
    entry.refresh_from_db()
    return entry


def book_from_waitlist(*, entry: WaitlistEntry, booked_by) -> Booking:
    """Book the slot offered to a waiting-list entry and close the entry, in one transaction.

    Other entries offered the same slot go back to waiting. Raises WaitlistEntryClosed when the
    entry is no longer open or has no offer, and what book_session raises when the slot has
    gone meanwhile; the entry is then unchanged.
    """
    with transaction.atomic():
        locked = (
            WaitlistEntry.objects.select_for_update()
            .select_related("treatment__clinic")
            .get(pk=entry.pk)
        )
        if locked.status != WaitlistStatus.OFFERED:
            raise errors.WaitlistEntryClosed(
                "This entry has no slot on offer." if locked.is_open else None
            )
        booking = book_session(
            treatment=locked.treatment,
            start=locked.offered_start,
            patient=locked.patient,
            therapist=locked.offered_therapist,
            booked_by=booked_by,
            channel=Channel.RECEPTION,
            apply_policy=False,
            notes="Booked from the waiting list.",
        )
        locked.status = WaitlistStatus.BOOKED
        locked.booking = booking
        locked.save(update_fields=["status", "booking", "updated_at"])
        _reopen(
            WaitlistEntry.objects.filter(
                clinic_id=locked.clinic_id,
                status=WaitlistStatus.OFFERED,
                offered_start=locked.offered_start,
                offered_therapist_id=locked.offered_therapist_id,
            )
        )
    return booking
