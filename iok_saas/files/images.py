"""Photos people upload: checked and re-encoded before anything keeps them."""

from __future__ import annotations

import io

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

from iok_saas.files.store import FileProblem, TooLarge

# Phones (iPhones by default) take HEIC photos: pillow-heif teaches Pillow to read them.
register_heif_opener()

SIDE = 1600
MAX_PIXELS = 40_000_000
# MPO: the JPEG many phones write (with a second, depth or HDR picture inside).
FORMATS = ("JPEG", "MPO", "PNG", "WEBP", "HEIF")
NOT_A_PHOTO = _l("This is not a photo (JPEG, PNG, HEIC or WebP).")


def clean_image(data: bytes, max_mb: int) -> bytes:
    """The photo as a JPEG at most 1600 px wide and high, without EXIF, comments or other
    metadata; ``FileProblem`` when it is not a photo or too large."""
    if len(data) > max_mb * 1024 * 1024:
        raise TooLarge(_l("The photo is too large: at most %(mb)d MB.", mb=max_mb), len(data))
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in FORMATS:
                raise FileProblem(NOT_A_PHOTO)
            if image.width * image.height > MAX_PIXELS:  # a small file may unpack to gigabytes
                raise FileProblem(_l("The photo's resolution is too high."))
            if image.format in ("JPEG", "MPO"):
                image.draft("RGB", (SIDE, SIDE))  # decode at a reduced size
            image.thumbnail((SIDE, SIDE))
            image = ImageOps.exif_transpose(image).convert("RGB")
            image.info = {}  # no EXIF, comments or other metadata in what is kept
            out = io.BytesIO()
            image.save(out, "JPEG", quality=82)
    except FileProblem:
        raise
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError,
            SyntaxError):
        raise FileProblem(NOT_A_PHOTO) from None
    return out.getvalue()
