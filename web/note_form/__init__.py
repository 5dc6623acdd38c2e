"""The session-note form in the therapist's pages: which fields each modality's section has,
how a submitted form becomes the note's content, and how content and errors are shown again.

One declarative description per modality (SECTIONS) drives all three, so the page, the no-script
submit and the autosave read the same names. The shapes themselves (types, ranges,
vocabularies) are checked by sessionnotes.modalities when the service saves; this module only
turns text into numbers and booleans, and skips the blank rows a page always has.

Field names are flat: `dry_needling-needles_in`, `dry_needling-sites-0-muscle`,
`body_chart-2-region`. Errors arrive as paths (`records[0].sites[1].muscle`, from the services)
and are put back on the field of the same name.
"""

from .binding import BoundSection, assessment_values, bind_assessment, bind_note
from .errors import describe_marks, error_label, field_name, flatten_errors, page_errors
from .reading import FormProblem, modalities_in, read_assessment, read_note
from .sections import IA, REGION_GROUPS, SECTIONS, SOAP

__all__ = [
    "IA",
    "REGION_GROUPS",
    "SECTIONS",
    "SOAP",
    "BoundSection",
    "FormProblem",
    "assessment_values",
    "bind_assessment",
    "bind_note",
    "describe_marks",
    "error_label",
    "field_name",
    "flatten_errors",
    "modalities_in",
    "page_errors",
    "read_assessment",
    "read_note",
]
