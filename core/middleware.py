"""Requests refused before any view runs, and pages whose database has gone away."""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

from .api import error_body, is_database_unreachable

logger = logging.getLogger(__name__)

NUL = "\x00"


class RefuseNulBytes:
    """A NUL byte in the path or in any query parameter (name or value) is answered 400.

    PostgreSQL cannot store or compare strings containing NUL, so a filter, search or slug
    carrying one would otherwise fail in the database with a 500; no address or query of ours
    ever needs one. Form and JSON fields refuse NUL through Django's and DRF's own validators.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if NUL in request.path or any(
            NUL in key or any(NUL in value for value in values)
            for key, values in request.GET.lists()
        ):
            message = "The address contains a NUL byte."
            if request.path.startswith("/api/"):
                return JsonResponse(error_body("malformed_request", message), status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)


# Self-contained on purpose: the site's templates read the signed-in user, which needs the very
# database that has gone.
UNAVAILABLE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Back in a moment - physiodesk</title></head>
<body><main><h1>Back in a moment</h1>
<p>The booking service is briefly unavailable. Nothing you sent just now is lost if you try
again: please reload this page in a few seconds.</p></main></body></html>
"""


class DatabaseUnavailablePage:
    """A page whose database has gone away (restart, failover, network) answers 503 with
    Retry-After and a plain "back in a moment" page, as the API answers 503
    `service_unavailable` (core.api), instead of a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        if not is_database_unreachable(exception):
            return None
        logger.warning("Database unavailable for %s", request.path)
        response = HttpResponse(UNAVAILABLE_PAGE, status=503)
        response["Retry-After"] = "5"
        return response
