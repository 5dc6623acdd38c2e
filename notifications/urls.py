"""Routes of notifications: the feeds API (registered on the API router) and the public feed URL."""

from django.urls import re_path

from .views import FeedViewSet, calendar_feed

# The token is 43 URL-safe base64 characters; anything else is a 404 without a database query.
feed_urlpatterns = [
    re_path(r"^feeds/(?P<token>[A-Za-z0-9_-]{43})\.ics$", calendar_feed, name="calendar-feed"),
]

__all__ = ["FeedViewSet", "feed_urlpatterns"]
