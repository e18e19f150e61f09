"""Forms as the HTML checker and browsers read them: one shared base form, no id written twice
on a page of several forms, required choices that open on an empty "please choose"."""

from __future__ import annotations

import re
from collections import Counter

from tests.factories import make_household
from tests.helpers import client_for

REQUIRED_SELECT = re.compile(r"<select[^>]*\brequired\b[^>]*>\s*<option([^>]*)>", re.S)


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    return found.union(*(_subclasses(c) for c in found)) if found else found


def test_every_form_is_built_on_the_shared_form(app):
    from flask_wtf import FlaskForm

    from iok_saas.web.forms import Form

    ours = [c for c in _subclasses(FlaskForm) if c.__module__.startswith("iok_saas.")]
    assert len(ours) > 30
    assert [c.__qualname__ for c in ours if not issubclass(c, Form)] == []


def test_a_page_of_many_forms_writes_no_id_twice(app, baltyk):
    resident = make_household(baltyk, units=1)
    clerk = make_household(baltyk, role="clerk", units=0)
    client = client_for(app, "baltyk.localhost")
    client.login(clerk.identifier, clerk.password)
    page = client.get(f"/panel/konta/{resident.user_id}").get_data(as_text=True)
    assert page.count("<form") > 3
    repeated = [i for i, n in Counter(re.findall(r'\sid="([^"]+)"', page)).items() if n > 1]
    assert repeated == []
    assert 'name="csrf_token" type="hidden" value="' in page


def test_a_required_choice_opens_on_an_empty_please_choose(app, zw):
    make_household(zw, units=1)
    clerk = make_household(zw, role="clerk", units=0)
    visitor, staff = client_for(app, "zielone-wzgorza.localhost"), client_for(
        app, "zielone-wzgorza.localhost")
    staff.login(clerk.identifier, clerk.password)
    for client, path in ((visitor, "/wniosek"), (staff, "/panel/mieszkancy/nowy")):
        page = client.get(path).get_data(as_text=True)
        first_options = REQUIRED_SELECT.findall(page)
        assert first_options, path
        assert all('value=""' in option for option in first_options), (path, first_options)
        assert "— proszę wybrać —" in page


def test_an_application_without_a_building_says_to_choose_one(app, zw):
    client = client_for(app, "zielone-wzgorza.localhost")
    page = client.post("/wniosek", data={
        "csrf_token": client.csrf_token("/wniosek"), "first_name": "Marian",
        "last_name": "Wnioskowy", "building": "", "unit_number": "2",
        "title_kind": "cooperative_ownership", "email": "marian@example.org", "accept": "y",
    }).get_data(as_text=True)
    assert "Prosimy wybrać budynek." in page
    assert "coerce" not in page and "Not a valid choice" not in page
