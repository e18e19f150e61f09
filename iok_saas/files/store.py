"""Storing, reading, spooling, deleting and serving files (see the package docstring)."""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from flask import Response, send_file
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete as delete_rows
from sqlalchemy import insert, select

from iok_saas.db import db
from iok_saas.files.models import FileChunk, StoredFile
from iok_saas.web.problems import DomainError

CHUNK = 1024 * 1024
EMPTY = _l("The file is empty.")


class FileProblem(DomainError):
    """An upload that cannot be kept (empty, too large, not what was asked for)."""


class TooLarge(FileProblem):
    """Over the limit; ``size`` says how far the upload got before it was stopped."""

    def __init__(self, message, size: int) -> None:
        super().__init__(message)
        self.size = size


def store(data: bytes, *, filename: str, content_type: str, purpose: str) -> StoredFile:
    """Keep bytes already in memory (a re-encoded photo) as a file (no commit)."""
    return store_stream(io.BytesIO(data), filename=filename, content_type=content_type,
                        purpose=purpose, max_bytes=max(len(data), 1))


def store_stream(stream: BinaryIO, *, filename: str, content_type: str, purpose: str,
                 max_bytes: int) -> StoredFile:
    """Keep an upload chunk by chunk, never whole in memory (no commit). Raises ``TooLarge``
    past ``max_bytes`` and ``FileProblem`` for an empty file; the caller rolls back then."""
    stored = StoredFile(purpose=purpose, filename=Path(filename).name[:200] or "plik",
                        content_type=content_type[:100], size=0, sha256="")
    db.session.add(stored)
    db.session.flush()
    digest, size, seq = hashlib.sha256(), 0, 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(max_bytes, size)
        digest.update(chunk)
        # A Core-style insert: the chunk does not stay in the session's identity map.
        db.session.execute(insert(FileChunk).values(file_id=stored.id, seq=seq, data=chunk))
        seq += 1
    if size == 0:
        raise FileProblem(EMPTY)
    stored.size, stored.sha256 = size, digest.hexdigest()
    return stored


def read_upload(stream: BinaryIO, max_bytes: int) -> bytes:
    """The whole of an upload that must be checked before anything keeps it (a PDF): at most
    ``max_bytes`` read. Raises ``TooLarge`` past it and ``FileProblem`` for an empty file."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(max_bytes, len(data))
    if not data:
        raise FileProblem(EMPTY)
    return data


def _too_large(max_bytes: int, size: int) -> TooLarge:
    return TooLarge(_l("The file is too large: at most %(mb)s MB.", mb=_megabytes(max_bytes)),
                    size)


def _megabytes(limit: int) -> str:
    return f"{limit / 1024 ** 2:.0f}" if limit >= 1024 ** 2 else f"{limit / 1024 ** 2:.2f}"


def find(file_id: int) -> StoredFile | None:
    """The file of the current cooperative with this id."""
    return db.session.get(StoredFile, file_id)


def chunks(file_id: int) -> Iterator[bytes]:
    """The content, chunk by chunk (one chunk in memory at a time)."""
    seq = 0
    while (data := db.session.scalar(select(FileChunk.data).where(
            FileChunk.file_id == file_id, FileChunk.seq == seq))) is not None:
        yield data
        seq += 1


def read(file_id: int) -> bytes:
    """The whole content of a small file (a photo)."""
    return b"".join(chunks(file_id))


@contextmanager
def spooled(file_id: int, suffix: str = "") -> Iterator[Path]:
    """A temporary copy on local disk for code that reads a path (the import engine makes
    several passes); removed afterwards."""
    with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as out:
        path = Path(out.name)
        try:
            for data in chunks(file_id):
                out.write(data)
        except BaseException:
            path.unlink(missing_ok=True)  # no half copy of personal data left behind
            raise
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def delete(file_id: int) -> None:
    """Remove a file and its content (no commit)."""
    db.session.execute(delete_rows(FileChunk).where(FileChunk.file_id == file_id))
    db.session.execute(delete_rows(StoredFile).where(StoredFile.id == file_id)
                       .execution_options(synchronize_session=False))


def download(data: bytes | str, *, filename: str, content_type: str, inline: bool = False
             ) -> Response:
    """A private file for the person asking (a text in UTF-8): the name they will see (Polish
    letters kept), its type without sniffing, never kept by a browser or proxy cache."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    response = send_file(io.BytesIO(data), mimetype=content_type, as_attachment=not inline,
                         download_name=filename, max_age=0, etag=False, conditional=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
