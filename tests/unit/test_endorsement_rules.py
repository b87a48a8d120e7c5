"""The pure rules of endorsements: field validation, name comparison, CSV safety."""

from __future__ import annotations

import pytest

from bot.services.endorsements import (
    FieldError,
    FieldProblem,
    clean_email,
    clean_name,
    clean_website,
    is_near_duplicate,
    name_key,
)
from bot.services.exports import safe_cell, to_csv


def test_name_key_ignores_case_spaces_punctuation_accents_and_legal_forms() -> None:
    keys = {
        name_key(name)
        for name in ("Oil Workers' Union", "oil  workers union, Ltd.", "OIL-WORKERS UNION e.V.")
    }
    assert keys == {"oilworkersunion"}
    assert name_key("Confédération Générale") == name_key("confederation generale")
    assert name_key("Ltd") == "ltd"  # a name is never reduced to nothing


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("Oil Workers Union", "Gas Workers Union", True),  # one word different
        ("Oil Workers Union", "Oil Workers Union of Aktau", False),  # two words more
        ("Solidarnosc", "Solidarnośćc", True),  # spelled almost alike
        ("Teachers of Lyon", "Oil Workers Union", False),
    ],
)
def test_near_duplicates(a: str, b: str, near: bool) -> None:
    assert is_near_duplicate(a, "FR", b, "FR") is near


def test_same_name_is_near_in_another_country_and_exact_in_the_same() -> None:
    assert is_near_duplicate("Union", "FR", "union", "DE") is True
    assert is_near_duplicate("Union", "FR", "union", "FR") is False


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("A", FieldProblem.TOO_SHORT),
        ("x" * 201, FieldProblem.TOO_LONG),
        ("--", FieldProblem.NO_LETTERS),
        ("Bad\u0007Name", FieldProblem.NOT_PRINTABLE),
        ("   ", FieldProblem.EMPTY),
    ],
)
def test_bad_names(value: str, problem: FieldProblem) -> None:
    with pytest.raises(FieldError) as raised:
        clean_name(value)
    assert raised.value.problem is problem


def test_names_keep_markup_literally_and_collapse_spaces() -> None:
    assert clean_name("  <b>Union</b>   & Co ") == "<b>Union</b> & Co"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org",
        "https://localhost",
        "example.org",
        "https://exa mple.org",
        "https://user@example.org",
        "https://example.org:99999",
        "javascript:alert(1)",
        "https://" + "a" * 300 + ".org",
    ],
)
def test_bad_websites(url: str) -> None:
    with pytest.raises(FieldError):
        clean_website(url)


def test_good_website_and_emails() -> None:
    assert clean_website(" https://union.example.org/about?x=1 ") == (
        "https://union.example.org/about?x=1"
    )
    assert clean_email("press@union.example.org") == "press@union.example.org"
    for bad in ("press", "a@b", "a b@example.org", "<a@example.org>"):
        with pytest.raises(FieldError):
            clean_email(bad)


def test_csv_cells_that_look_like_formulas_are_defused() -> None:
    assert [safe_cell(v) for v in ("=1+1", "+7", "-x", "@SUM", "ok", None, 3)] == [
        "'=1+1",
        "'+7",
        "'-x",
        "'@SUM",
        "ok",
        "",
        "3",
    ]
    assert to_csv(("a", "b"), [("x,y", 'q"')]) == b'a,b\r\n"x,y","q"""\r\n'
