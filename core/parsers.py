"""Request-body parsing for the API: JSON with a nesting limit.

No body of ours nests more than a few levels (a plan with phases, sessions and components is
the deepest), but the JSON decoder recurses per level: a body of 100,000 opening brackets would
end in a RecursionError (a 500), and a merely very deep one walks every serializer below it.
Both are answered 400 `malformed_request` here, before any view sees the data.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

DEFAULT_MAX_DEPTH = 32


def max_depth() -> int:
    return getattr(settings, "API_JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH)


def nesting_depth_exceeds(data, limit: int) -> bool:
    """Whether lists/objects in `data` nest deeper than `limit` (walked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing bodies nested deeper than settings.API_JSON_MAX_DEPTH."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = max_depth()
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(f"JSON nested deeper than {limit} levels.") from exc
        if nesting_depth_exceeds(data, limit):
            raise ParseError(f"JSON nested deeper than {limit} levels.")
        return data
