"""The templates and the stylesheets agree: a class a page uses for its look is one the
stylesheets define (a typo such as ``list-plain`` for ``plain-list`` left bullets on two lists)."""

from __future__ import annotations

import re

from tests.helpers import ROOT

PACKAGE = ROOT / "iok_saas"
# Classes that mark what a thing is for scripts, tests or a later style, not how it looks.
HOOKS = {"kind", "meter", "pending", "payment"}


def _defined() -> set[str]:
    sheets = [path.read_text() for path in (PACKAGE / "static/css").glob("*.css")]
    sheets += [path.read_text() for path in PACKAGE.rglob("templates/**/*.css")]
    # PDF templates carry their own <style>.
    sheets += [style for path in PACKAGE.rglob("templates/**/*.html")
               for style in re.findall(r"<style>(.*?)</style>", path.read_text(), re.S)]
    return set(re.findall(r"\.([A-Za-z][\w-]*)", "".join(sheets)))


def test_every_class_a_page_uses_is_defined_by_a_stylesheet():
    defined, unknown = _defined(), []
    for path in PACKAGE.rglob("*.html"):
        if "mail" in path.relative_to(PACKAGE).parts:  # e-mails are styled inline
            continue
        for value in re.findall(r'class="([^"{}]*)"', path.read_text()):
            unknown += [f"{path.relative_to(PACKAGE)}: {name}" for name in value.split()
                        if name not in defined and name not in HOOKS]
    assert unknown == []
