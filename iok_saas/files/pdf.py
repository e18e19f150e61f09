"""PDFs people upload, checked by their content: a readable PDF without a password and without
JavaScript or launch actions in any object the file holds (``pypdf`` parses each object and
the compressed object streams, where a byte search cannot look, whether the file's index points
to them or not). ``pypdf`` is loaded at the first check (9 MB a web worker need not carry)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

from flask_babel import lazy_gettext as _l

# Names in a PDF that run something when the file is opened or a page is shown (XFA forms carry
# scripts inside streams): wherever they stand uncompressed, whatever follows them.
SCRIPT_BYTES = re.compile(rb"/(?:JS|JavaScript|Launch|XFA)(?![A-Za-z0-9])")
# Where an object starts ("12 0 obj", then white space), wherever it stands in the bytes.
OBJECT_HEADER = re.compile(rb"(?<![0-9])[0-9]{1,10}\s+[0-9]{1,5}\s+obj(?![A-Za-z0-9])\s*")


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
        scripted = has_script(reader, data)
    except MemoryError:
        raise
    except Exception:
        return _l("This PDF cannot be read: it may be damaged. Please save it again.")
    if scripted or SCRIPT_BYTES.search(data):
        return _l("This PDF contains a script (JavaScript) or an action that starts a program. "
                  "Please save it again without them (for example with “Print to PDF”).")
    return None


def has_script(reader: Any, data: bytes | None = None) -> bool:
    """Whether any object the file holds is a script or launch action: every ``N G obj`` in
    its bytes — pointed to by the index or not, of any generation or revision — and every
    object inside each object stream among them (compressed, where a byte search cannot look,
    and where a viewer repairing the file could still find one the index leaves out)."""
    if data is None:
        reader.stream.seek(0)
        data = reader.stream.read()
    return _scripted(reader.trailer) or any(_scripted(found) for found in _objects(reader, data))


def _objects(reader: Any, data: bytes) -> Iterator[Any]:
    """Each object parsed where its header stands, then those inside it if it is an object
    stream; what cannot be parsed is left out (the reader's own parse decides if the file is
    readable at all)."""
    from pypdf.generic import StreamObject

    stream = io.BytesIO(data)
    for header in OBJECT_HEADER.finditer(data):
        found = _read(stream, header.end(), reader)
        yield found
        if isinstance(found, StreamObject) and found.get("/Type") == "/ObjStm":
            yield from _inside(found, reader)


def _inside(object_stream: Any, reader: Any) -> Iterator[Any]:
    """The objects an object stream carries, by the offsets its header lists; a script name
    anywhere in its decoded bytes counts too, parsed or not."""
    try:
        data = object_stream.get_data()
        first, count = int(object_stream["/First"]), int(object_stream["/N"])
        numbers = data[:first].split()
    except Exception:  # an undecodable stream: nothing in it can be shown either
        return
    if SCRIPT_BYTES.search(data):
        yield SCRIPTED
    stream = io.BytesIO(data)
    for offset in numbers[1:2 * count:2]:
        if offset.isdigit():
            stream.seek(first + int(offset))
            while stream.read(1).isspace():
                pass
            yield _read(stream, stream.tell() - 1, reader)


def _read(stream: io.BytesIO, offset: int, reader: Any) -> Any:
    """The object that starts at ``offset`` (None where it cannot be parsed)."""
    from pypdf.generic import read_object

    stream.seek(offset)
    try:
        return read_object(stream, reader)
    except MemoryError:
        raise
    except Exception:  # a damaged object; pypdf raises many kinds
        return None


SCRIPTED = object()  # what _inside yields for a script name found in an object stream's bytes


def _scripted(value: Any, depth: int = 0) -> bool:
    """A script or launch action in this object or the direct objects within it (indirect
    ones are looked at on their own)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    if value is SCRIPTED:
        return True
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
