"""Patient eligibility: the rules other apps add through booking/extensions.py.

Booking a treatment may depend on clinical rules that live elsewhere (dry needling needs a
current screening and consent, kept by the plans app). `book_session` and `reschedule_booking`
call `check_patient_may_book`, which runs every eligibility check added with
`booking.extensions.add_eligibility_check`. A check raises a core.api.DomainError to refuse.
"""

from .extensions import EXTENSIONS


def check_patient_may_book(*, treatment, patient, start, apply_policy: bool) -> None:
    for check in EXTENSIONS.eligibility_checks:
        check(treatment=treatment, patient=patient, start=start, apply_policy=apply_policy)
