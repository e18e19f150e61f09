"""Attachments people send with a letter: a PDF, or a photo or scan (JPEG, PNG, HEIC), checked
by what the file is, not by what its name says. A PDF is kept as sent once it is a readable PDF
without a password or a script; a picture is re-encoded as a JPEG without metadata (a phone's
HEIC becomes a JPEG the office can open)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError

from iok_saas.files.images import clean_image
from iok_saas.files.pdf import pdf_problem
from iok_saas.files.store import FileProblem, TooLarge

PDF = "application/pdf"
JPEG = "image/jpeg"
# What a name's ending promises, as the formats Pillow reports (MPO: many phones' JPEG).
PICTURES = {".jpg": ("JPEG", "MPO"), ".jpeg": ("JPEG", "MPO"), ".png": ("PNG",),
            ".heic": ("HEIF",), ".heif": ("HEIF",)}
ACCEPT = ("application/pdf,image/jpeg,image/png,image/heic,image/heif,"
          ".pdf,.jpg,.jpeg,.png,.heic,.heif")


@dataclass(frozen=True)
class Checked:
    """An attachment fit to keep: its bytes, its name, its type."""

    data: bytes
    filename: str
    content_type: str


def check_attachment(filename: str, data: bytes, max_mb: int) -> Checked:
    """The attachment as it will be kept; ``FileProblem`` (a message naming the file) when it
    is empty, too large, of another kind, or not what its name says."""
    name = Path(filename).name
    suffix = Path(name).suffix.lower()
    if len(name) > 150:  # cut short before the ending, which says what the file claims to be
        ending = Path(name).suffix if len(suffix) <= 8 else ""
        name = name[:150 - len(ending)] + ending
    name = name or "plik"
    if not data:
        raise FileProblem(_l("%(name)s is empty.", name=name))
    if len(data) > max_mb << 20:
        raise TooLarge(_l("%(name)s is too large: at most %(mb)d MB.", name=name, mb=max_mb),
                       len(data))
    if suffix == ".pdf":
        if not data.startswith(b"%PDF-"):
            raise FileProblem(_not_what_it_says(name))
        problem = pdf_problem(data)
        if problem is not None:
            raise FileProblem(_l("%(name)s: %(problem)s", name=name, problem=problem))
        return Checked(data, name, PDF)
    if suffix not in PICTURES:
        raise FileProblem(_l("%(name)s: only PDF, JPEG, PNG or HEIC files can be attached.",
                             name=name))
    try:
        with Image.open(io.BytesIO(data)) as image:
            found = image.format
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError,
            Image.DecompressionBombError):
        found = None
    if found not in PICTURES[suffix]:
        raise FileProblem(_not_what_it_says(name))
    try:
        cleaned = clean_image(data, max_mb)
    except FileProblem:
        raise FileProblem(_not_what_it_says(name)) from None
    return Checked(cleaned, f"{Path(name).stem[:140] or 'zdjecie'}.jpg", JPEG)


def _not_what_it_says(name: str):
    return _l("%(name)s is not a PDF, JPEG, PNG or HEIC file as its name says.", name=name)
