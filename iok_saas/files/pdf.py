"""PDFs people upload, checked by their content: a readable PDF without a password and without
JavaScript or launch actions (``pypdf`` reads compressed object streams, where a byte search
cannot look). ``pypdf`` is loaded at the first check (9 MB a web worker need not carry)."""

from __future__ import annotations

import io
import re
from typing import Any

from flask_babel import lazy_gettext as _l

# Names in a PDF that run something when the file is opened or a page is shown (XFA forms carry
# scripts inside streams): wherever they stand uncompressed, whatever follows them.
SCRIPT_BYTES = re.compile(rb"/(?:JS|JavaScript|Launch|XFA)(?![A-Za-z0-9])")


def pdf_problem(data: bytes) -> Any:
    """Why these bytes are not a PDF anyone can open safely (a message), or None."""
    if not data.startswith(b"%PDF-"):
        return _l("This file is not a PDF. Please publish documents as PDF files.")
    from pypdf import PdfReader  # at the first upload (9 MB a web worker need not carry)

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return _l("This PDF is protected by a password: it could not be opened. Please save "
                      "it again without the password.")
        if len(reader.pages) == 0:
            return _l("This PDF has no pages.")
        scripted = has_script(reader)
    except MemoryError:
        raise
    except Exception:
        return _l("This PDF cannot be read: it may be damaged. Please save it again.")
    if scripted or SCRIPT_BYTES.search(data):
        return _l("This PDF contains a script (JavaScript) or an action that starts a program. "
                  "Please save it again without them (for example with “Print to PDF”).")
    return None


def has_script(reader: Any) -> bool:
    """Whether any object of the file (compressed ones too, and the dictionaries inside them)
    is a script or launch action."""
    from pypdf.errors import PdfReadError
    from pypdf.generic import IndirectObject

    references = [IndirectObject(number, generation, reader)
                  for generation, numbers in reader.xref.items() for number in numbers]
    references += [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
    for reference in references:
        try:
            found = reader.get_object(reference)
        except (PdfReadError, ValueError, KeyError, IndexError):
            continue
        if _scripted(found):
            return True
    return _scripted(reader.trailer)


def _scripted(value: Any, depth: int = 0) -> bool:
    """A script or launch action in this object or the direct objects within it (indirect
    ones are looked at on their own)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    if depth > 64:
        return False
    if isinstance(value, DictionaryObject):
        if "/JS" in value or "/JavaScript" in value or "/XFA" in value or value.get("/S") in (
                "/JavaScript", "/Launch"):
            return True
        children: Any = value.values()
    elif isinstance(value, ArrayObject):
        children = value
    else:
        return False
    return any(_scripted(child, depth + 1) for child in children
               if not isinstance(child, IndirectObject))
