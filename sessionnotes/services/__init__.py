"""Every write to a session note that carries a rule, one function per use case.

- write_note: the treating therapist starts the note of a session they held (one per booking);
- update_note: the draft as it grows (autosave sends what changed);
- sign_note: completeness, needle count and needling clearance checked, then locked;
- amend_note: a correction to a signed note, kept beside the original;
- clear_red_flags: a clinician clears the positive red flags of an assessment;
- review_safety_alert: a clinic admin or the lead therapist closes a serious-event alert;
- check_red_flags_cleared: plan activation's check (registered in SessionNotesConfig.ready).
"""

from .assessment import check_red_flags_cleared, clear_red_flags, needs_assessment
from .rules import CONTENT_FIELDS, RecordIn, clean_records
from .safety import review_safety_alert
from .signing import amend_note, sign_note
from .writing import update_note, write_note

__all__ = [
    "CONTENT_FIELDS",
    "RecordIn",
    "amend_note",
    "check_red_flags_cleared",
    "clean_records",
    "clear_red_flags",
    "needs_assessment",
    "review_safety_alert",
    "sign_note",
    "update_note",
    "write_note",
]
