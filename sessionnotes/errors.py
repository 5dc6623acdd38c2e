"""Domain errors of session notes. Each has a stable code; the API renders them in one shape."""

from rest_framework import status

from core.api import DomainError


class NoteRuleBroken(DomainError):
    """Bad input or a broken note rule: 400."""

    code = "note_rule_broken"


class InvalidRecords(NoteRuleBroken):
    code = "invalid"


class ModalityNotQualified(NoteRuleBroken):
    code = "therapist_not_qualified"


class NoteIncomplete(NoteRuleBroken):
    code = "note_incomplete"
    default_message = "The note is not complete enough to sign."


class NeedleCountMismatch(NoteRuleBroken):
    code = "needle_count_mismatch"
    default_message = (
        "The needles out do not match the needles in. Count again, or record a "
        "'needle unaccounted for' adverse event with the search and the action taken."
    )


class NotTheAuthor(DomainError):
    code = "not_the_author"
    http_status = status.HTTP_403_FORBIDDEN
    default_message = "Only the therapist who treated the patient writes and signs this note."


class NoteConflict(DomainError):
    """The note or its session is not in a state that allows this: 409."""

    code = "note_conflict"
    http_status = status.HTTP_409_CONFLICT


class NoteExists(NoteConflict):
    code = "note_exists"
    default_message = "This session already has a note; open it instead."


class NoteSigned(NoteConflict):
    code = "note_signed"
    default_message = "This note is signed and locked; add an amendment instead."


class NoteNotSigned(NoteConflict):
    code = "note_not_signed"
    default_message = "Only a signed note is amended; change the draft itself."


class SessionNotHeld(NoteConflict):
    code = "session_not_held"


class NeedlingNotCleared(NoteConflict):
    code = "needling_not_cleared"


class VersionConflict(NoteConflict):
    code = "version_conflict"
    default_message = "Someone saved this note meanwhile; reload it and try again."


class NothingToClear(NoteConflict):
    code = "no_red_flags_to_clear"
    default_message = "This assessment has no positive red flag waiting to be cleared."


class AlertAlreadyReviewed(NoteConflict):
    code = "alert_already_reviewed"
    default_message = "This safety alert has already been reviewed."


class RedFlagNotCleared(DomainError):
    """Raised by the plan activation check: a positive red flag waits for a clinician."""

    code = "red_flag_not_cleared"
    http_status = status.HTTP_409_CONFLICT
    default_message = (
        "The patient's assessment records a positive red flag with an onward referral; a "
        "clinician must clear it before the plan is activated."
    )
