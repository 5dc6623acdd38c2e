"""Response shapes of the feeds API."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from .models import CalendarFeed
from .services import feed_token


class FeedOut(serializers.ModelSerializer):
    """A feed with its secret URLs. `webcal_url` opens the subscribe dialog (Apple, Outlook);
    `url` is the same address over HTTPS, for Google Calendar's "From URL" box."""

    url = serializers.SerializerMethodField()
    webcal_url = serializers.SerializerMethodField()

    class Meta:
        model = CalendarFeed
        fields = [
            "id",
            "kind",
            "owner_id",
            "clinic_id",
            "label",
            "url",
            "webcal_url",
            "created_at",
            "rotated_at",
        ]
        read_only_fields = fields

    def _https(self, feed: CalendarFeed) -> str | None:
        token = feed_token(feed)
        if token is None:
            return None
        request = self.context.get("request")
        return reverse("calendar-feed", kwargs={"token": token}, request=request)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, feed: CalendarFeed) -> str | None:
        return self._https(feed)

    @extend_schema_field(OpenApiTypes.STR)
    def get_webcal_url(self, feed: CalendarFeed) -> str | None:
        url = self._https(feed)
        return "webcal://" + url.split("://", 1)[1] if url and "://" in url else url
