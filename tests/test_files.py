"""The tenant-scoped file store: chunks, limits, images, download headers, other cooperatives."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from iok_saas import files
from iok_saas.db import db
from iok_saas.files.models import FileChunk, StoredFile
from tests.helpers import in_tenant


def _store(tenant, data: bytes, **kwargs) -> int:
    with in_tenant(tenant):
        return files.store_stream(io.BytesIO(data), filename=kwargs.get("filename", "plik.csv"),
                                  content_type="text/csv", purpose="test",
                                  max_bytes=kwargs.get("max_bytes", 10 * files.CHUNK)).id


def test_a_file_is_kept_in_chunks_and_read_back_whole(baltyk):
    data = os.urandom(2 * files.CHUNK + 5)
    file_id = _store(baltyk, data, filename="../../etc/Zażółć gęślą.csv")
    with in_tenant(baltyk):
        stored = db.session.get(StoredFile, file_id)
        assert stored.filename == "Zażółć gęślą.csv"  # no directories, Polish letters kept
        assert (stored.size, stored.sha256) == (len(data), hashlib.sha256(data).hexdigest())
        assert db.session.scalar(select(func.count()).select_from(FileChunk)) == 3
        assert files.read(file_id) == data
        with files.spooled(file_id, ".csv") as path:
            assert path.read_bytes() == data and path.suffix == ".csv"
        assert not path.exists()
        files.delete(file_id)
    with in_tenant(baltyk):
        assert db.session.scalar(select(func.count()).select_from(FileChunk)) == 0
        assert files.find(file_id) is None


def test_too_large_and_empty_files_are_refused(baltyk):
    with pytest.raises(files.TooLarge, match="za duży: najwyżej 1 MB") as caught:
        _store(baltyk, b"x" * (files.CHUNK + 1), max_bytes=files.CHUNK)
    assert caught.value.size == files.CHUNK + 1
    with pytest.raises(files.FileProblem, match="Plik jest pusty"):
        _store(baltyk, b"")
    with in_tenant(baltyk):  # what a refused upload began is rolled back with its request
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_another_cooperatives_file_is_not_there(baltyk, zw):
    file_id = _store(baltyk, b"tajne")
    with in_tenant(zw):
        assert files.find(file_id) is None
        assert files.read(file_id) == b""
        files.delete(file_id)  # deletes nothing of Baltyk's
    with in_tenant(baltyk):
        assert files.read(file_id) == b"tajne"


def test_downloads_name_the_file_and_are_never_cached_or_sniffed(app: Flask, ctx):
    with app.test_request_context():
        response = files.download("a;b\n", filename="wyciąg 2026.csv", content_type="text/csv")
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert "filename*=UTF-8''wyci%C4%85g%202026.csv" in response.headers[
            "Content-Disposition"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "private, no-store"
        assert response.mimetype == "text/csv"
        inline = files.download(b"\xff\xd8", filename="odczyt.jpg", content_type="image/jpeg",
                                inline=True)
        assert inline.headers["Content-Disposition"].startswith("inline;")


def test_photos_are_re_encoded_small_without_metadata(ctx):
    photo = io.BytesIO()
    Image.new("RGB", (4000, 3000), (9, 9, 9)).save(photo, "PNG")
    cleaned = files.clean_image(photo.getvalue(), max_mb=10)
    assert Image.open(io.BytesIO(cleaned)).format == "JPEG"
    assert Image.open(io.BytesIO(cleaned)).size == (1600, 1200)
    with pytest.raises(files.FileProblem, match="To nie jest zdjęcie"):
        files.clean_image(b"GIF89a" + b"\0" * 100, max_mb=10)
    with pytest.raises(files.TooLarge, match="najwyżej 1 MB"):
        files.clean_image(b"\0" * (files.CHUNK + 1), max_mb=1)
