"""The public feed URL: headers, conditional GET, secrecy, freshness with and without a worker."""

from datetime import timedelta

import icalendar
import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils.http import http_date

from booking import services as booking_services
from notifications import services, tasks
from notifications.directory import FeedKind, FeedOwner
from tests.notifications.conftest import WEDNESDAY_10

pytestmark = pytest.mark.usefixtures("frozen_now")


@pytest.fixture
def feed(therapist, clinic):
    (feed,) = services.ensure_feeds(
        [FeedOwner(FeedKind.THERAPIST, therapist.pk, clinic.pk, "Tess at Derby")]
    )
    return feed


def url(feed) -> str:
    return reverse("calendar-feed", kwargs={"token": services.feed_token(feed)})


def later(seconds: int = 5):
    """A moment after the last change, so Last-Modified is on a finished second."""
    from datetime import UTC, datetime

    return time_machine.travel(datetime.now(UTC) + timedelta(seconds=seconds), tick=False)


def test_the_feed_is_served_as_a_private_calendar(book, feed):
    book()
    with later():
        response = Client().get(url(feed))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=0, must-revalidate"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "Content-Disposition" not in response
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"]
    assert len(icalendar.Calendar.from_ical(response.content).walk("VEVENT")) == 1


def test_if_none_match_gets_304_with_the_validators(book, feed):
    book()
    client = Client()
    with later():
        first = client.get(url(feed))
        again = client.get(url(feed), HTTP_IF_NONE_MATCH=first["ETag"])
        listed = client.get(url(feed), HTTP_IF_NONE_MATCH=f'"other", W/{first["ETag"]}')
    assert again.status_code == listed.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Last-Modified"] == first["Last-Modified"]
    assert again["Cache-Control"] == first["Cache-Control"]


def test_if_modified_since_is_compared_not_just_present(book, feed):
    book()
    client = Client()
    with later():
        first = client.get(url(feed))
        last_modified = first["Last-Modified"]
        same = client.get(url(feed), HTTP_IF_MODIFIED_SINCE=last_modified)
        from django.utils.http import parse_http_date

        older = client.get(
            url(feed), HTTP_IF_MODIFIED_SINCE=http_date(parse_http_date(last_modified) - 1)
        )
        garbage = client.get(url(feed), HTTP_IF_MODIFIED_SINCE="yesterday-ish")
    assert same.status_code == 304
    assert older.status_code == 200
    assert older.content == first.content
    assert garbage.status_code == 200


def test_an_etag_mismatch_wins_over_a_matching_date(book, feed):
    book()
    client = Client()
    with later():
        first = client.get(url(feed))
        response = client.get(
            url(feed), HTTP_IF_NONE_MATCH='"stale"', HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
        )
    assert response.status_code == 200


def test_a_change_reaches_the_feed_without_any_worker(book, feed, receptionist):
    booking = book()
    client = Client()
    with later():
        first = client.get(url(feed))  # now cached
    # No worker runs in tests: the rebuild task queued after commit never executes.
    with later(7):
        booking_services.reschedule_booking(
            booking=booking,
            start=WEDNESDAY_10 + timedelta(hours=3),
            changed_by=receptionist,
            apply_policy=False,
        )
    with later(10):
        second = client.get(
            url(feed),
            HTTP_IF_NONE_MATCH=first["ETag"],
            HTTP_IF_MODIFIED_SINCE=first["Last-Modified"],
        )
        no_etag = client.get(url(feed), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert second.status_code == no_etag.status_code == 200
    (event,) = icalendar.Calendar.from_ical(second.content).walk("VEVENT")
    assert event.decoded("DTSTART") == WEDNESDAY_10 + timedelta(hours=3)
    assert event["SEQUENCE"] == 1


def test_a_worker_rebuild_is_served_from_the_cache_with_one_query(
    book, feed, django_assert_num_queries
):
    booking = book()
    assert tasks.rebuild_feeds([feed.pk]) == 1
    client = Client()
    with later(), django_assert_num_queries(1):  # the token lookup; the body comes from the cache
        response = client.get(url(feed))
    assert response.status_code == 200
    assert str(booking.start.strftime("%Y%m%dT%H%M%SZ")).encode() in response.content
    with later(), django_assert_num_queries(1):
        assert client.get(url(feed), HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_a_cancelled_event_leaves_the_cached_feed_when_it_starts(book, feed, receptionist):
    booking = book()
    booking_services.cancel_booking(booking=booking, cancelled_by=receptionist, apply_policy=False)
    feed.refresh_from_db()
    tasks.rebuild_feeds([feed.pk])
    client = Client()
    with later():
        assert b"STATUS:CANCELLED" in client.get(url(feed)).content
    with time_machine.travel(booking.start + timedelta(seconds=1), tick=False):
        assert b"BEGIN:VEVENT" not in client.get(url(feed)).content


def test_last_modified_waits_until_the_second_of_the_change_is_over(book, feed):
    book()
    response = Client().get(url(feed))  # same frozen instant as the booking
    assert response.status_code == 200
    assert "Last-Modified" not in response
    assert response["ETag"]


def test_unknown_malformed_and_rotated_tokens_are_404(feed):
    client = Client()
    old = url(feed)
    assert client.get(old).status_code == 200
    assert client.get("/feeds/" + "A" * 43 + ".ics").status_code == 404
    assert client.get("/feeds/short.ics").status_code == 404
    services.rotate_feed_token(feed=feed)
    assert client.get(old).status_code == 404
    assert client.get(url(feed)).status_code == 200


def test_head_is_answered_and_writes_are_refused(feed):
    client = Client()
    assert client.head(url(feed)).status_code == 200
    assert client.post(url(feed)).status_code == 405


def test_the_database_keeps_only_a_hash_of_the_token(feed):
    token = services.feed_token(feed)
    from notifications.models import CalendarFeed

    stored = CalendarFeed.objects.filter(pk=feed.pk).values().get()
    assert token not in str(stored)
    assert len(token) == 43


def test_the_feed_is_still_served_when_the_cache_is_down(book, feed, settings, caplog):
    book()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    with later():
        response = Client().get(url(feed))
    assert "Feed cache unreachable" in caplog.text
    assert response.status_code == 200
    assert len(icalendar.Calendar.from_ical(response.content).walk("VEVENT")) == 1


def test_a_hammered_feed_url_gets_429_then_recovers_the_next_minute(feed, settings):
    settings.NOTIFICATIONS_FEED_REQUESTS_PER_MINUTE = 3
    client = Client()
    codes = [client.get(url(feed)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    with later(seconds=61):
        assert client.get(url(feed)).status_code == 200
