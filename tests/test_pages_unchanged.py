"""Speed changes nothing a person sees: the pages the read path rewrote (issue 32), for the
demo's resident and clerk of both cooperatives, are byte for byte what the code before it
wrote (``REFERENCE``, run from ``git archive`` in a process of its own on the same data),
apart from per-response tokens and blank lines (``tests/pages_capture.py``)."""

from __future__ import annotations

import contextvars
import difflib
import io
import os
import pickle
import subprocess
import sys
import tarfile

import pytest
from sqlalchemy import delete, select, update

from iok_saas.cli.demo import reset_demo_data
from iok_saas.db import db
from iok_saas.documents.models import DocumentVisit
from iok_saas.tenancy.scoping import ALL_TENANTS
from tests.helpers import ROOT, across_cooperatives, app_settings, as_platform
from tests.pages_capture import capture

REFERENCE = "5ef8748457dd224b0691f9581fb57220bb5a4479"  # the last commit before the read path


def _reference_tree(target) -> None:
    """The reference build's package, unpacked from the repository's history."""
    known = subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{REFERENCE}^{{commit}}"],
                           capture_output=True)
    if known.returncode != 0:
        pytest.skip(f"the reference commit {REFERENCE[:12]} is not in this clone (a shallow one)")
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", REFERENCE,
                              "iok_saas"], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")


def _visits() -> dict[int, object]:
    return dict(across_cooperatives(select(DocumentVisit.id, DocumentVisit.seen_at)))


def _rewind(visits: dict[int, object]) -> None:
    """Opening the library records the visit: put the visits back as they were, so both
    builds see the same documents as new."""
    everywhere = {ALL_TENANTS: True}
    with as_platform():
        db.session.execute(delete(DocumentVisit).where(DocumentVisit.id.not_in(list(visits)))
                           .execution_options(**everywhere))
        for visit_id, seen_at in visits.items():
            db.session.execute(update(DocumentVisit).where(DocumentVisit.id == visit_id)
                               .values(seen_at=seen_at).execution_options(**everywhere))


def test_the_rewritten_pages_write_the_same_html_as_before(app, ctx, tmp_path):
    with as_platform():
        reset_demo_data()
    visits = _visits()
    reference = tmp_path / "reference"
    _reference_tree(reference)
    settings = tmp_path / "settings.pickle"
    settings.write_bytes(pickle.dumps(app_settings(tmp_path / "instance")))
    out = tmp_path / "before.pickle"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(reference), str(ROOT)])}
    subprocess.run([sys.executable, "-m", "tests.pages_capture", str(settings), str(out)],
                   cwd=tmp_path, env=env, check=True, timeout=120)
    before = pickle.loads(out.read_bytes())
    assert before.pop("__code__").startswith(str(reference))  # the reference code ran
    _rewind(visits)
    db.session.remove()
    after = contextvars.Context().run(capture, app)  # each request its own app context
    assert set(after) == set(before)
    changed = {page: "".join(difflib.unified_diff(
        before[page].splitlines(True), after[page].splitlines(True), "before", "after", n=1))
        for page in before if before[page] != after[page]}
    if changed:
        pytest.fail("\n".join(f"{page}\n{diff}" for page, diff in changed.items()))
