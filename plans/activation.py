"""Checks other apps add to plan activation without plans importing them.

A plan may be unsafe to start for reasons recorded elsewhere (for example, the session-notes
app keeps the initial assessment, whose positive red flags must be cleared first). Such an app
registers a check in its AppConfig.ready(); `activate_plan` runs every registered check inside
its transaction, after its own. A check raises a core.api.DomainError subclass to refuse.
"""

from collections.abc import Callable

ActivationCheck = Callable[..., None]
_checks: list[ActivationCheck] = []


def register(check: ActivationCheck) -> ActivationCheck:
    """Add a check called as check(plan=...)."""
    if check not in _checks:
        _checks.append(check)
    return check


def check_plan_may_start(*, plan) -> None:
    for check in _checks:
        check(plan=plan)
