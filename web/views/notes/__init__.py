"""The session note in the therapist's pages: write it (pre-filled from the last note), save
the draft as you go, sign it, read it, amend it.

Access: staff who can see the booking (another clinic's therapist gets 404), who are clinicians
(receptionists and patients get 403: patients get their notes in their data export), and who
treat the patient (plans.access, the one gate, which records every read). Only the therapist who
held the session writes, signs and amends (the services refuse anyone else).

Every write goes through sessionnotes.services. The page works without scripts: each button is a
normal submit (save, sign, add or remove a section or a row). note.js adds autosave (the same
form posted to `autosave`, with the version the page last saw) and adds rows in place.
"""

from .reading import note_page
from .writing import autosave

__all__ = ["autosave", "note_page"]
