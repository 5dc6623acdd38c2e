"""What every booking API view shares: the documented error responses."""

from __future__ import annotations

from core.api import conflict_response, error_responses

ERRORS = error_responses(bad_input="Bad input or a broken booking rule.")
CONFLICT = conflict_response(
    "The slot is taken, the booking changed, or the change is not allowed now."
)
