"""API plumbing shared by every app: the one error shape, pagination, the domain error base."""

import copy
import logging
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, InterfaceError, OperationalError
from django.db.models import ProtectedError, QuerySet, RestrictedError
from django.http import Http404, JsonResponse
from django.views.defaults import page_not_found
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A broken business rule. Subclasses set a stable `code` and the HTTP status to answer."""

    code = "invalid_request"
    http_status = status.HTTP_400_BAD_REQUEST
    default_message = "The request breaks a rule."

    def __init__(self, message: str | None = None, *, details: dict | None = None):
        self.message = message or self.default_message
        self.details = details or {}
        super().__init__(self.message)


class FieldsBuiltOnce:
    """For a serializer that only renders responses and whose fields never depend on the
    request: its fields are built from the model's metadata once per class, and each instance
    gets shallow copies to bind, instead of DRF building (or deep-copying) them every time.

    A booking's reply spent 0.3 ms of 0.42 building its fields (docs/decisions/0006). Shallow
    copies are safe because binding only sets attributes on the copy and rendering reads the
    rest; a serializer that validates input keeps DRF's per-instance fields.
    """

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built
        return {name: copy.copy(field) for name, field in built.items()}


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def error_body(code: str, message: str, fields: dict | None = None, **extra) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}


_DRF_CODES = {
    exceptions.ParseError: "malformed_request",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


def _flatten(detail) -> dict:
    if isinstance(detail, dict):
        return {key: _messages(value) for key, value in detail.items()}
    return {"non_field_errors": _messages(detail)}


def _messages(value) -> list | dict:
    if isinstance(value, dict):
        return _flatten(value)
    if isinstance(value, list):
        if value and all(isinstance(item, dict) for item in value):
            return [_flatten(item) for item in value]
        return [str(item) for item in value]
    return [str(value)]


def exception_handler(exc, context):
    """Render every error as {"error": {"code", "message", "fields"}}; unknown ones stay 500."""
    if isinstance(exc, DomainError):
        return Response(
            error_body(exc.code, exc.message, **({"details": exc.details} if exc.details else {})),
            status=exc.http_status,
        )
    if isinstance(exc, (ProtectedError, RestrictedError)):
        # Deleting set-up data that bookings or plans still point at: records are kept.
        blocking = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", [])
        kinds = sorted({str(obj._meta.verbose_name_plural) for obj in blocking})
        return Response(
            error_body(
                "in_use",
                f"It is still used by {', '.join(kinds)}; deactivate it instead of deleting it.",
            ),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, OperationalError) and is_lock_wait(exc):
        # A write waited longer than the lock timeout (DB_LOCK_TIMEOUT_MS): nothing was written.
        return Response(
            error_body("busy", "The diary is busy right now; please try again."),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, (OperationalError, InterfaceError)) and is_database_unreachable(exc):
        # The database went away (restart, failover, network): an open transaction was rolled
        # back by it, but one that had just committed may have lost only its reply, so the
        # answer promises nothing either way. A retry is safe where writes are idempotent
        # (bookings take an Idempotency-Key). Say when to retry; never a 500.
        logger.warning("Database unavailable: %s", exc)
        response = Response(
            error_body(
                "service_unavailable",
                "The service is briefly unavailable; please try again in a few seconds.",
            ),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
        response["Retry-After"] = "5"
        return response
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled error", exc_info=exc)
        return None

    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        body = error_body("invalid", _first_message(fields), fields)
    else:
        code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error")
        body = error_body(code, str(exc.detail))
    response.data = body
    return response


def not_found(request, exception=None):
    """Django's 404 for a URL no view matched (handler404 in config/urls.py): under /api/ in
    the one error shape, as every API view's own 404 is (e.g. an id the path's converter
    refuses, /api/v1/patients/-1/export/); elsewhere Django's page as before."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", "Not found."), status=status.HTTP_404_NOT_FOUND)
    return page_not_found(request, exception)


def is_lock_wait(exc: OperationalError) -> bool:
    """PostgreSQL lock_timeout (SQLSTATE 55P03), a deadlock PostgreSQL broke by rolling us back
    (40P01: two diary writes locking one clinic and one booking in opposite orders, a rare
    plan-wide change against a desk change), or SQLite's busy timeout. Each is "try again"."""
    return getattr(exc.__cause__, "sqlstate", None) in ("55P03", "40P01") or (
        "database is locked" in str(exc)
    )


def is_database_unreachable(exc: DatabaseError) -> bool:
    """The connection to the database failed or broke, as opposed to a query it refused.

    psycopg reports a lost server as SQLSTATE class 08 (connection exception) or 57P0x (admin or
    crash shutdown), or with no SQLSTATE at all when the socket closed mid-query; Django raises
    InterfaceError for a connection it already knows is closed.
    """
    if isinstance(exc, InterfaceError):
        return True
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is None:
        return cause is not None and type(cause).__module__.startswith("psycopg")
    return sqlstate.startswith("08") or sqlstate.startswith("57P")


def _first_message(fields: dict) -> str:
    for key, value in fields.items():
        while isinstance(value, (list, dict)) and value:
            value = value[0] if isinstance(value, list) else next(iter(value.values()))
        if value:
            prefix = "" if key == "non_field_errors" else f"{key}: "
            return f"{prefix}{value}"
    return "The request is not valid."


# --- OpenAPI: every error in the schema, in its one shape ----------------------------------------

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error has this shape; `code` is stable and machine-readable.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "example": "slot_unavailable"},
                "message": {"type": "string", "example": "That time was just taken."},
                "fields": {
                    "type": "object",
                    "additionalProperties": True,
                    "description": "Per-field messages for code `invalid`.",
                },
                "details": {"type": "object", "additionalProperties": True},
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
}

_GENERIC_ERRORS = {
    "400": "Bad input (code `invalid`, with `fields`) or a broken rule.",
    "401": "Not signed in, or the token is not valid.",
    "403": "Signed in but not allowed.",
    "404": "No such object, or not visible to you.",
}
_PAGE_NOT_FOUND = "No such page (`page` beyond the last one, or not a positive number)."
_IN_USE = "Still used by bookings or plans (code `in_use`): deactivate it instead."

# Opening and working hours are wall-clock times in the clinic's zone ("09:00:00"): they carry
# no UTC offset (one would be wrong for half the year), which OpenAPI's `format: time`
# (RFC 3339 full-time) requires. The schema says what is served; input is still parsed by DRF.
WALL_CLOCK_TIME = {
    "type": "string",
    "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
    "example": "09:00:00",
    "description": "Local wall-clock time in the clinic's time zone, without an offset.",
}


def _describe_wall_clock_times(node) -> None:
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("format") == "time":
            del node["format"]
            for key, value in WALL_CLOCK_TIME.items():
                node.setdefault(key, value)
        for value in node.values():
            _describe_wall_clock_times(value)
    elif isinstance(node, list):
        for value in node:
            _describe_wall_clock_times(value)


def error_response(description: str):
    """An error response for @extend_schema; add_error_responses gives it the Error body."""
    return OpenApiResponse(description=description)


def error_responses(*, bad_input: str, forbidden: str = "Not allowed.") -> dict:
    """The 400/401/403/404 responses every app's views document, in the app's own words."""
    return {
        400: error_response(bad_input),
        401: error_response("Not signed in."),
        403: error_response(forbidden),
        404: error_response("Unknown or not visible."),
    }


def conflict_response(description: str) -> dict:
    """The 409 an app's writes document (what "conflict" means there)."""
    return {409: error_response(description)}


def lookup(queryset: QuerySet, pk, field: str):
    """The object with id `pk` named by a request body's `field`, else a 400 on that field."""
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise serializers.ValidationError({field: [f"No {field.replace('_', ' ')} with id {pk}."]})
    return obj


_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 0},
    }
}
_THROTTLED = (
    "Too many requests (code `throttled`): this operation is rate-limited; see Retry-After."
)
_UNAVAILABLE = (
    "The database is briefly unreachable (code `service_unavailable`); nothing is promised "
    "either way, so retry after Retry-After (bookings safely, with their Idempotency-Key)."
)


def _throttled_operations(generator) -> set[tuple[str, str]]:
    """(path, method) of every operation a rate limit (core.throttles) counts, from the views'
    own throttle classes, so a newly throttled view is documented without another list."""
    throttled = set()
    for path, _regex, method, callback in getattr(generator, "endpoints", None) or []:
        view = generator.create_view(callback, method)
        request = SimpleNamespace(method=method.upper())
        for throttle in view.get_throttles():
            applies = getattr(throttle, "applies", None)
            if applies is None or applies(request, view):
                throttled.add((generator.coerce_path(path, method, view), method.lower()))
    return throttled


def add_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: document the error responses every operation can
    give (with the one error body) where a view did not already, so the schema is complete:
    401/403/400/404 as the operation allows, 429 `throttled` where a rate limit counts it, and
    503 `service_unavailable` everywhere (any request may find the database gone)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    throttled = _throttled_operations(generator)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if (path, method) in throttled:
                responses.setdefault("429", {"description": _THROTTLED})
            responses.setdefault("503", {"description": _UNAVAILABLE})
            for code in ("429", "503"):
                if code in responses:
                    responses[code].setdefault("headers", _RETRY_AFTER)
            anonymous = {} in operation.get("security", [{}])
            codes = ["401"]
            if not (anonymous and method == "get"):
                codes.append("403")
            if method in ("post", "put", "patch") or operation.get("parameters"):
                codes.append("400")
            if "{" in path:
                codes.append("404")
            for code in codes:
                responses.setdefault(code, {"description": _GENERIC_ERRORS[code]})
            parameters = {p.get("name") for p in operation.get("parameters", [])}
            if method == "get" and "page" in parameters:
                responses.setdefault("404", {"description": _PAGE_NOT_FOUND})
            if method == "delete" and not path.startswith("/api/v1/auth/"):
                responses.setdefault("409", {"description": _IN_USE})
            for code, response in responses.items():
                if code[0] in "45" and "content" not in response:
                    response["content"] = body
    _describe_wall_clock_times(result)
    return result
