"""The one extension point of booking: how the apps above it add rules and reactions.

Booking must not import the apps that stand on it (plans, sessionnotes, waitlist, web). An app
that needs a say in booking adds a function here from its AppConfig.ready(), once at start-up,
and booking calls every function of that kind at the one place it applies:

| kind | called | plugged in today |
| --- | --- | --- |
| eligibility check `(treatment=, patient=, start=, apply_policy=)` | by `book_session` and `reschedule_booking` before the write; raises a DomainError to refuse | plans: `check_needling_booking`, the dry-needling clearance rule; privacy: `refuse_erased_patient` |
| time-freed listener `(FreedTime)` | after a cancellation or a move commits (booking/events.py) | waitlist: `offer_freed_time` |
| advisory provider `(bookings) -> {id: [Advisory]}` | when the API shows bookings (booking/advisories.py) | sessionnotes: needling warnings after a serious adverse event |

docs/architecture.md shows where each sits in a booking's flow. Registration is idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

EligibilityCheck = Callable[..., None]
TimeFreedListener = Callable[..., object]
AdvisoryProvider = Callable[[list], dict]


@dataclass
class Extensions:
    eligibility_checks: list[EligibilityCheck] = field(default_factory=list)
    time_freed_listeners: list[TimeFreedListener] = field(default_factory=list)
    advisory_providers: list[AdvisoryProvider] = field(default_factory=list)


EXTENSIONS = Extensions()


def _add(functions: list, function):
    if function not in functions:
        functions.append(function)
    return function


def add_eligibility_check(check: EligibilityCheck) -> EligibilityCheck:
    """A rule a patient must pass to be booked (or moved) into a treatment."""
    return _add(EXTENSIONS.eligibility_checks, check)


def on_time_freed(listener: TimeFreedListener) -> TimeFreedListener:
    """A reaction to a therapist's time freed by a cancellation or a move (after commit)."""
    return _add(EXTENSIONS.time_freed_listeners, listener)


def add_advisory_provider(provider: AdvisoryProvider) -> AdvisoryProvider:
    """Warnings to show with bookings (no clinical detail: reception reads them)."""
    return _add(EXTENSIONS.advisory_providers, provider)
