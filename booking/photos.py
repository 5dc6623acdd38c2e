"""Therapist photos: what a clinic may upload, and the copy that is kept.

Every upload, from the admin or the API, passes through `clean_therapist_photo`: it must be a
JPEG, PNG or WebP image (decoded by Pillow, not trusted by its name or content type), at most
THERAPIST_PHOTO_MAX_BYTES, and not absurdly large in pixels (a decompression bomb). What is kept
is a fresh JPEG re-encoded from the pixels: at most 800 px on its longer side, turned upright,
and without the metadata a phone photo carries (EXIF, including where it was taken). Nothing the
uploader sent is ever served back byte for byte, so a file that is also HTML or script cannot
reach a patient's browser. Photos are served by web.views.therapist_photo (see README).
"""

from __future__ import annotations

import uuid
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
LONGEST_SIDE = 800
# Refuse images whose pixel count would make decoding expensive (Pillow warns at ~89 Mpx).
MAX_PIXELS = 40_000_000


def max_photo_bytes() -> int:
    return getattr(settings, "THERAPIST_PHOTO_MAX_BYTES", 5 * 1024 * 1024)


def clean_therapist_photo(upload) -> ContentFile:
    """The photo to keep for an uploaded file, or ValidationError with a message for the clinic."""
    limit = max_photo_bytes()
    if upload.size > limit:
        raise ValidationError(
            f"The photo is too large: at most {limit // (1024 * 1024)} MB.", code="photo_too_large"
        )
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            kind = probe.format
            width, height = probe.size
            probe.verify()  # a truncated or corrupt file fails here
        if kind not in ACCEPTED_FORMATS:
            raise ValidationError(
                "Upload a JPEG, PNG or WebP photo.", code="photo_type_not_accepted"
            )
        if width * height > MAX_PIXELS:
            raise ValidationError("The photo has too many pixels.", code="photo_too_large")
        upload.seek(0)
        with Image.open(upload) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
            if image.mode not in ("RGB", "L"):
                # Transparency on white: a JPEG has no alpha channel.
                background = Image.new("RGB", image.size, "white")
                rgba = image.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            out = BytesIO()
            image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise ValidationError(
            "This file is not a photo we can read. Upload a JPEG, PNG or WebP image.",
            code="photo_unreadable",
        ) from error
    # A new name on every upload: the photo's address changes with it, so browsers and caches
    # never show an old photo.
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def drop_replaced_photo(therapist, replaced_name: str) -> None:
    """After `therapist` was saved with a new photo: delete the file it replaced, once the save
    commits (a rollback keeps the old file in use). Nothing when the photo did not change."""
    if replaced_name and replaced_name != therapist.photo.name:
        storage = therapist.photo.storage
        transaction.on_commit(lambda: storage.delete(replaced_name))


def photo_version(therapist) -> str:
    """A token that changes with the photo (its stored file's random name)."""
    return therapist.photo.name.rsplit("/", 1)[-1].split(".", 1)[0] if therapist.photo else ""


def photo_path(therapist) -> str | None:
    """The photo's address on this site (web.views.booking_flow.therapist_photo), or None.

    It carries the photo's version, so the response may be cached for good: a new photo has a
    new address.
    """
    if not therapist.photo:
        return None
    from django.urls import reverse  # URLs load after the models this module serves

    return f"{reverse('web:therapist_photo', args=[therapist.pk])}?v={photo_version(therapist)}"
