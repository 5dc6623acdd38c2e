"""Requests refused before any view runs."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBadRequest, JsonResponse

from .api import error_body

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
