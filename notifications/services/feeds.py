"""Calendar feeds: secret URLs, building the iCalendar bytes, and serving them from the cache.

A feed is rebuilt by a Celery task after every change that touches it and kept in the cache
with the feed's revision. A request serves the cached copy only if its revision is current and
nothing in it has expired by time (a cancelled event drops out once its start has passed), else
it builds the feed on the spot, so feeds are right with or without a worker.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Func, Max, Min, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .. import ical
from ..directory import FeedKind, FeedOwner, get_directory
from ..models import CalendarEntry, CalendarFeed, EntryStatus, FeedDetail
from ..rendering import appointment_event
from .settings import clinic_settings

logger = logging.getLogger(__name__)

# Past appointments stay in feeds this long, so last month's diary is still there.
PAST_DAYS = 31
# Suggested polling interval (RFC 7986 REFRESH-INTERVAL and Outlook's X-PUBLISHED-TTL).
REFRESH = "PT1H"
CACHE_SECONDS = 24 * 60 * 60
TOKEN_KEY_SALT = "notifications.feed-token"  # noqa: S105 - an HMAC key salt, not a secret


# --- tokens -------------------------------------------------------------------------------------


def _token_for(salt: str) -> str:
    """256-bit URL-safe secret derived from the salt and SECRET_KEY (43 characters)."""
    digest = salted_hmac(TOKEN_KEY_SALT, salt, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _new_secret() -> tuple[str, str]:
    salt = secrets.token_hex(32)
    return salt, _hash(_token_for(salt))


def feed_token(feed: CalendarFeed) -> str | None:
    """The feed's current token, or None if SECRET_KEY changed since it was issued."""
    token = _token_for(feed.token_salt)
    return token if hmac.compare_digest(_hash(token), feed.token_hash) else None


def find_feed(token: str) -> CalendarFeed | None:
    """The feed this token opens, if any: looked up by hash, then compared in constant time."""
    try:
        digest = _hash(token)
    except UnicodeEncodeError:
        return None
    feed = CalendarFeed.objects.filter(token_hash=digest).first()
    if feed is None or not hmac.compare_digest(feed.token_hash, digest):
        return None
    return feed


def rotate_feed_token(*, feed: CalendarFeed, now: datetime | None = None) -> CalendarFeed:
    """Issue a new secret URL for the feed; the old URL stops working at once. Returns the feed."""
    feed.token_salt, feed.token_hash = _new_secret()
    feed.rotated_at = now or timezone.now()
    feed.save(update_fields=["token_salt", "token_hash", "rotated_at"])
    return feed


def ensure_feeds(owners: list[FeedOwner], *, now: datetime | None = None) -> list[CalendarFeed]:
    """Get or create a feed row for each owner; keep labels current. Safe to call concurrently.

    A feed whose token can no longer be derived (SECRET_KEY rotated) gets a new one, so the URL
    shown to its owner always works.
    """
    now = now or timezone.now()
    # One query for the feeds that exist, however many owners (a therapist at many clinics).
    existing = {(f.kind, f.owner_id, f.clinic_id): f for f in feeds_of(owners)} if owners else {}
    feeds = []
    for owner in owners:
        lookup = {"kind": owner.kind, "owner_id": owner.owner_id, "clinic_id": owner.clinic_id}
        feed = existing.get((owner.kind, owner.owner_id, owner.clinic_id))
        if feed is None:
            salt, token_hash = _new_secret()
            try:
                with transaction.atomic():
                    feed = CalendarFeed.objects.create(
                        **lookup,
                        label=owner.label,
                        token_salt=salt,
                        token_hash=token_hash,
                        changed_at=now,
                    )
            except IntegrityError:  # created by a concurrent request
                feed = CalendarFeed.objects.get(**lookup)
        if feed.label != owner.label:
            feed.label = owner.label
            CalendarFeed.objects.filter(pk=feed.pk).update(
                label=owner.label, revision=F("revision") + 1, changed_at=now
            )
            feed.refresh_from_db()
        if feed_token(feed) is None:
            rotate_feed_token(feed=feed, now=now)
        feeds.append(feed)
    return feeds


def feeds_of(owners: list[FeedOwner]) -> QuerySet[CalendarFeed]:
    """The feed rows of these owners (see ensure_feeds to create missing ones)."""
    query = Q(pk__in=[])
    for owner in owners:
        query |= Q(kind=owner.kind, owner_id=owner.owner_id, clinic_id=owner.clinic_id)
    return CalendarFeed.objects.filter(query)


def touch_clinic_feeds(*clinic_ids: int, now: datetime | None = None) -> int:
    """Mark every staff feed of these clinics changed (e.g. a clinic's privacy setting, or a
    patient's initials gone on erasure). Returns the count."""
    return CalendarFeed.objects.filter(clinic_id__in=clinic_ids).update(
        revision=F("revision") + 1, changed_at=now or timezone.now()
    )


# --- building -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuiltFeed:
    revision: int
    etag: str
    last_modified: datetime
    valid_until: datetime | None
    body: bytes


def _entries(feed: CalendarFeed) -> QuerySet[CalendarEntry]:
    entries = CalendarEntry.objects.all()
    if feed.kind == FeedKind.THERAPIST:
        return entries.filter(therapist_id=feed.owner_id, clinic_id=feed.clinic_id)
    if feed.kind == FeedKind.ROOM:
        return entries.filter(room_id=feed.owner_id, clinic_id=feed.clinic_id)
    if feed.kind == FeedKind.CLINIC:
        return entries.filter(clinic_id=feed.owner_id)
    return entries.filter(patient_id=feed.owner_id)


def _summary(detail: str, initials: str, treatment: str) -> str:
    if detail == FeedDetail.INITIALS_AND_TREATMENT:
        return f"{initials} – {treatment}"
    if detail == FeedDetail.INITIALS:
        return f"Appointment: {initials}"
    return "Appointment"


class _ICalTime(Func):
    """A timestamp formatted by the database as an iCalendar UTC DATE-TIME (20270301T090000Z).

    Turning 6,000 timestamps into Python datetimes only to format them again was two thirds of
    the time of a 2,000-event feed, so the database writes the text instead.
    """

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISS\"Z\"')"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        template = "strftime('%%Y%%m%%dT%%H%%M%%SZ', %(expressions)s)"
        return self.as_sql(compiler, connection, template=template, **extra)


def build_feed(feed: CalendarFeed, *, now: datetime | None = None) -> BuiltFeed:
    """The feed's iCalendar bytes with their validators. Same data and time, same bytes.

    Shows confirmed appointments that ended less than PAST_DAYS ago or are still to come, and
    cancelled ones (STATUS:CANCELLED, so subscribed calendars remove them) until their start.
    Times are UTC, UIDs are the entries' random UIDs, SEQUENCE follows the booking version.
    Therapist, room and clinic feeds show what the clinic's `feed_detail` allows; a patient's
    own feed shows the clinic and therapist. Never notes or anything clinical beyond that.
    """
    now = now or timezone.now()
    horizon = now - timedelta(days=PAST_DAYS)
    entries = _entries(feed)
    confirmed = Q(status=EntryStatus.CONFIRMED)
    cancelled = Q(status=EntryStatus.CANCELLED)
    is_shown = (confirmed & Q(end__gt=horizon)) | (cancelled & Q(start__gt=now))
    span = entries.aggregate(
        # Entries that left the feed as time passed changed it too: Last-Modified moves on.
        cancelled_gone=Max("start", filter=cancelled & Q(start__lte=now)),
        finished_gone=Max("end", filter=confirmed & Q(end__lte=horizon)),
        shown_changed=Max("updated_at", filter=is_shown),
        # The first moment an entry shown now will leave: the cached copy expires then.
        cancelled_leaves=Min("start", filter=cancelled & Q(start__gt=now)),
        finished_leaves=Min("end", filter=confirmed & Q(end__gt=horizon)),
    )
    staff_feed = feed.kind != FeedKind.PATIENT
    clinic = clinic_settings(feed.clinic_id) if staff_feed else None
    past = timedelta(days=PAST_DAYS)
    last_modified = max(
        moment
        for moment in (
            feed.changed_at,
            clinic.updated_at if clinic is not None else None,
            span["cancelled_gone"],
            span["finished_gone"] + past if span["finished_gone"] else None,
            span["shown_changed"],
        )
        if moment is not None
    )
    leaves = [
        span["cancelled_leaves"],
        span["finished_leaves"] + past if span["finished_leaves"] else None,
    ]
    valid_until = min((moment for moment in leaves if moment is not None), default=None)

    events = []
    rows = (
        entries.filter(is_shown)
        .order_by("start", "id")
        .values_list(
            "uid",
            _ICalTime("start"),
            _ICalTime("end"),
            _ICalTime("updated_at"),
            "version",
            "status",
            "patient_initials",
            "treatment_name",
            "therapist_name",
            "room_name",
            "clinic_name",
        )  # fmt: skip
    )
    for row in rows:
        uid, start, end, updated, version, status, initials, treatment, therapist, room, place = row
        reference = uid.hex[:8].upper()
        if staff_feed:
            summary = _summary(clinic.feed_detail, initials, treatment)
            location = room if feed.kind != FeedKind.ROOM else place
            description = f"Reference {reference}. With {therapist}."
        else:
            summary, location = f"Appointment at {place}", place
            description = f"With {therapist}. Reference {reference}."
        events.append(
            ical.Event(
                uid=str(uid),
                start=start,
                end=end,
                stamp=updated,
                last_modified=updated,
                sequence=version - 1,
                cancelled=status == EntryStatus.CANCELLED,
                summary=summary,
                location=location,
                description=description,
            )
        )
    body = ical.calendar(
        events, name=feed.label, calendar_uid=str(feed.calendar_uid), refresh=REFRESH
    )
    etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
    return BuiltFeed(feed.revision, etag, last_modified.replace(microsecond=0), valid_until, body)


# --- cache ----------------------------------------------------------------------------------------


def _meta_key(feed: CalendarFeed) -> str:
    # Keyed by the feed's random calendar UID, never its id, so databases sharing a cache
    # (several test runs, staging next to production) cannot serve each other's feeds.
    return f"notifications:feed:{feed.calendar_uid}:meta"


def _body_key(feed: CalendarFeed, etag: str) -> str:
    return f"notifications:feed:{feed.calendar_uid}:{etag.strip(chr(34))}"


def store_feed(feed: CalendarFeed, built: BuiltFeed, *, now: datetime) -> None:
    timeout = CACHE_SECONDS
    if built.valid_until is not None:
        timeout = max(1, min(timeout, int((built.valid_until - now).total_seconds())))
    meta = {
        "revision": built.revision,
        "etag": built.etag,
        "last_modified": built.last_modified.timestamp(),
        "valid_until": built.valid_until.timestamp() if built.valid_until else None,
    }
    try:
        cache.set_many({_body_key(feed, built.etag): built.body, _meta_key(feed): meta}, timeout)
    except Exception:  # noqa: BLE001 - the cache only speeds feeds up; they are built without it
        logger.warning("Could not cache feed %s", feed.pk, exc_info=True)


@dataclass(frozen=True)
class FeedValidators:
    etag: str
    last_modified: datetime


def cached_validators(feed: CalendarFeed, *, now: datetime) -> FeedValidators | None:
    """Validators of the cached copy if it is current; None if the feed must be (re)built."""
    try:
        meta = cache.get(_meta_key(feed))
    except Exception:  # noqa: BLE001 - cache down: build on demand
        logger.warning("Feed cache unreachable", exc_info=True)
        return None
    if not meta or meta["revision"] != feed.revision:
        return None
    if meta["valid_until"] is not None and now.timestamp() >= meta["valid_until"]:
        return None
    return FeedValidators(
        meta["etag"], datetime.fromtimestamp(meta["last_modified"], tz=now.tzinfo)
    )


def cached_body(feed: CalendarFeed, validators: FeedValidators) -> bytes | None:
    try:
        return cache.get(_body_key(feed, validators.etag))
    except Exception:  # noqa: BLE001 - cache down: build on demand
        logger.warning("Feed cache unreachable", exc_info=True)
        return None


def rebuild_feed(feed: CalendarFeed, *, now: datetime | None = None) -> BuiltFeed:
    """Build the feed and put it in the cache. Safe to call any time; the result is the same."""
    now = now or timezone.now()
    built = build_feed(feed, now=now)
    store_feed(feed, built, now=now)
    return built


def appointment_file(booking_id: int, *, manage_url: str = "") -> bytes | None:
    """One booking as a downloadable .ics ("add to calendar"), or None if it is unknown here.

    It carries the same UID and SEQUENCE as the email invitations, so a calendar that got both
    shows one event, which later invitations move or cancel in place. No METHOD: a file the
    patient imports is a published event, not a meeting request.
    """
    entry = CalendarEntry.objects.filter(booking_id=booking_id).first()
    if entry is None:
        return None
    clinic = get_directory().clinics({entry.clinic_id}).get(entry.clinic_id)
    event = appointment_event(
        entry,
        clinic,
        cancelled=entry.status == EntryStatus.CANCELLED,
        extra=f"Change or cancel online: {manage_url}" if manage_url else "",
    )
    return ical.calendar([event])
