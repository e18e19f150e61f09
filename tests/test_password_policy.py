"""Password rules: each cooperative's own rule, and the platform floor beneath both."""

from __future__ import annotations

import pytest

from iok_saas.auth.policy import describe, problems
from iok_saas.tenancy.settings import PasswordPolicy

ZW = PasswordPolicy(min_length=6, require_digit=True)
BALTYK = PasswordPolicy(min_length=8, require_digit=True, require_lower=True, require_upper=True)


@pytest.fixture(autouse=True)
def polish(app):
    with app.test_request_context():
        yield


def test_rules_in_plain_polish():
    assert describe(ZW) == "Hasło musi mieć co najmniej 6 znaków i zawierać co najmniej 1 cyfrę."
    assert describe(BALTYK) == ("Hasło musi mieć co najmniej 8 znaków i zawierać co najmniej "
                                "1 małą literę, 1 dużą literę i 1 cyfrę.")


@pytest.mark.parametrize("password", ["ogrod7", "zielen99", "śliwka3"])
def test_zielone_wzgorza_accepts_six_characters_with_a_digit(password):
    assert problems(password, ZW) == []


@pytest.mark.parametrize(("password", "complaint"), [
    ("ogrod", "Jest krótsze niż 6 znaków."),
    ("ogrodnik", "Nie zawiera cyfry."),
])
def test_zielone_wzgorza_refuses(password, complaint):
    assert complaint in problems(password, ZW)


def test_the_two_rules_really_differ():
    assert problems("ogrod7", ZW) == []
    assert set(problems("ogrod7", BALTYK)) == {
        "Jest krótsze niż 8 znaków.", "Nie zawiera dużej litery."}
    assert problems("Bursztyn7", BALTYK) == []


def test_floor_refuses_common_passwords_including_polish_ones():
    for password in ("Qwerty123", "Polska2024", "zaq1@WSX", "Haslo123", "Kochanie1"):
        assert "To popularne hasło, łatwe do odgadnięcia." in problems(password, BALTYK)


def test_floor_refuses_own_names_and_the_cooperatives_name():
    found = problems("Kowalska77x", BALTYK, identifier="B-000007",
                     personal_names=["Anna", "Kowalska"])
    assert "Zawiera identyfikator, imię, nazwisko albo nazwę Spółdzielni." in found
    assert problems("Baltyk2026x", BALTYK, cooperative_names=["SM „Bałtyk”"])
    assert problems("xB-000007Aa", BALTYK, identifier="B-000007")


def test_floor_accepts_long_unicode_passwords_without_truncating():
    long = "Zażółć gęślą jaźń 1 " * 5  # 100 characters
    assert problems(long, BALTYK) == []
    assert problems(long[:64], BALTYK) == []


def test_absurdly_long_and_control_characters_are_refused_clearly():
    assert problems("Aa1" * 4000, BALTYK) == ["Hasło jest za długie (najwyżej 1024 znaków)."]
    assert problems("Abc12345\x00", BALTYK) == ["Hasło nie może zawierać znaków sterujących."]
