"""Feeds API (list, rotate) and the public feed URL that calendar apps poll."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import error_response

from . import services
from .directory import get_directory
from .selectors import feeds_visible_to
from .serializers import FeedOut
from .services import feeds as feed_service

logger = logging.getLogger(__name__)


@extend_schema_view(
    list=extend_schema(
        summary="Calendar feeds you may subscribe to",
        responses={200: FeedOut(many=True), 401: error_response("Not signed in.")},
    ),
)
class FeedViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your own calendar feeds; clinic admins also get every therapist, room and clinic feed of
    their clinics. Each comes with its secret URL; anyone holding it can read the feed."""

    serializer_class = FeedOut
    ordering_fields = ["kind", "label", "id"]
    ordering = ["kind", "label", "id"]

    def get_queryset(self):
        return feeds_visible_to(self.request.user)

    def list(self, request: Request, *args, **kwargs) -> Response:
        # Feeds come into being the first time their owner asks for them.
        services.ensure_feeds(get_directory().feed_owners_for(request.user))
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Issue a new secret URL; the old one stops working",
        request=None,
        responses={
            200: FeedOut,
            401: error_response("Not signed in."),
            404: error_response("No such feed visible to you."),
        },
    )
    @action(detail=True, methods=["post"])
    def rotate(self, request: Request, pk=None) -> Response:
        feed = services.rotate_feed_token(feed=self.get_object())
        logger.info("Feed %s rotated by user %s", feed.pk, request.user.pk)
        return Response(FeedOut(feed, context=self.get_serializer_context()).data)


def _headers(response: HttpResponse, validators: feed_service.FeedValidators, now) -> None:
    response["ETag"] = validators.etag
    # A Last-Modified in the current second could hide a second change in that same second
    # from an If-Modified-Since client (second resolution), so it is sent only once that second
    # is over; the ETag covers the gap.
    if int(validators.last_modified.timestamp()) < int(now.timestamp()):
        response["Last-Modified"] = http_date(validators.last_modified.timestamp())
    response["Cache-Control"] = "private, max-age=0, must-revalidate"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Robots-Tag"] = "noindex"


def _over_rate_limit(token_hash: str, now) -> bool:
    """Count this request against the URL's per-minute allowance (shared through the cache).

    Keyed by the token's hash, so a rotated URL starts afresh and nothing secret is stored."""
    limit = settings.NOTIFICATIONS_FEED_REQUESTS_PER_MINUTE
    key = f"feed-rate:{token_hash[:32]}:{int(now.timestamp()) // 60}"
    try:
        cache.add(key, 0, timeout=120)
        return cache.incr(key) > limit
    except Exception:  # noqa: BLE001 - the cache being down must not take the feeds down
        logger.warning("feed rate limit unavailable (cache error); allowing the request")
        return False


@require_safe
def calendar_feed(request, token: str) -> HttpResponse:
    """GET/HEAD /feeds/<token>.ics: the iCalendar feed, or 304 if the client's copy is current.

    If-None-Match takes precedence over If-Modified-Since (RFC 9110 §13.2.2); an unparseable
    date counts as absent. An unknown or rotated token is a plain 404.
    """
    feed = services.find_feed(token)
    if feed is None:
        raise Http404("No such feed.")
    now = timezone.now()
    if _over_rate_limit(feed.token_hash, now):
        # A leaked URL hammered by a script, or a misconfigured client: calendar apps poll
        # every few minutes at most, so this never limits them.
        response = HttpResponse(
            "Too many requests for this feed; try again in a minute.\n",
            status=429,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = "60"
        return response
    validators = feed_service.cached_validators(feed, now=now)
    body = None
    if validators is None:
        built = feed_service.rebuild_feed(feed, now=now)
        validators = feed_service.FeedValidators(built.etag, built.last_modified)
        body = built.body

    response = HttpResponse(content_type="text/calendar; charset=utf-8")
    _headers(response, validators, now)
    conditional = get_conditional_response(
        request,
        etag=validators.etag,
        last_modified=int(validators.last_modified.timestamp())
        if "Last-Modified" in response
        else None,
        response=response,
    )
    if conditional is not response:
        logger.info(
            "feed %s %s %s",
            feed.pk,
            conditional.status_code,
            request.headers.get("User-Agent", "")[:80],
        )
        return conditional
    if body is None:
        body = feed_service.cached_body(feed, validators)
        if body is None:  # the body was evicted between the two reads
            built = feed_service.rebuild_feed(feed, now=now)
            body = built.body
            _headers(response, feed_service.FeedValidators(built.etag, built.last_modified), now)
    response.content = body
    logger.info("feed %s 200 %s", feed.pk, request.headers.get("User-Agent", "")[:80])
    return response
