"""Patient eligibility checks that other apps add to booking without booking importing them.

Booking a treatment may depend on clinical rules that live elsewhere (for example, dry needling
needs a current screening and consent, kept by the plans app). Such an app registers a check in
its AppConfig.ready(); `book_session` and `reschedule_booking` run every registered check before
they take the clinic lock. A check raises a core.api.DomainError subclass to refuse.
"""

from collections.abc import Callable

EligibilityCheck = Callable[..., None]
_checks: list[EligibilityCheck] = []


def register(check: EligibilityCheck) -> EligibilityCheck:
    """Add a check called as check(treatment=..., patient=..., start=..., apply_policy=...)."""
    if check not in _checks:
        _checks.append(check)
    return check


def check_patient_may_book(*, treatment, patient, start, apply_policy: bool) -> None:
    for check in _checks:
        check(treatment=treatment, patient=patient, start=start, apply_policy=apply_policy)
