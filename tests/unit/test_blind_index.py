from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.crypto.blind_index import (
    BlindIndex,
    BlindIndexer,
    date_index,
    document_index,
    name_index,
    name_terms,
    name_words,
    normalise,
)
from casework.names import has_cyrillic

ROOT = bytes(range(32))


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("sarunas", "Šarūnas"),
        ("SARUNAS", "Šarūnas"),
        ("lucja wisniewska", "Łucja Wiśniewska"),
        ("aeroskobing", "Ærøskøbing"),
        ("soren kjaergaard", "Søren Kjærgaard"),
        ("jogi", "Jõgi"),
        ("zukauskiene", "Žukauskienė"),
        ("muller", "Müller"),
        ("strasse", "Straße"),
        ("anna maria", "  Anna\t\tMARIA "),
        ("kazlauskaite jankuniene", "Kazlauskaitė-Jankūnienė"),
        ("fi", "\ufb01"),  # the "fi" ligature, a compatibility character
        ("abc", "ＡＢＣ"),  # full-width letters
    ],
)
def test_what_people_type_normalises_like_what_was_stored(typed: str, stored: str) -> None:
    assert normalise(typed) == normalise(stored)


@given(st.text())
def test_normalising_is_idempotent_and_leaves_no_runs_of_spaces(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert "  " not in once and once == once.strip()


def test_initials_are_not_search_terms() -> None:
    assert name_terms("J. R. Tolkien") == {"tolkien"}
    assert name_terms("A") == frozenset()


def test_token_is_deterministic_truncated_and_keyed() -> None:
    indexer = BlindIndexer(ROOT)
    token = indexer.token("child.given_name", 12, "sarunas")
    assert token == BlindIndexer(ROOT).token("child.given_name", 12, "sarunas")
    assert 0 <= token < 2**12
    other_root = [BlindIndexer(bytes(32)).token("child.given_name", 12, f"n{i}") for i in range(8)]
    same_root = [indexer.token("child.given_name", 12, f"n{i}") for i in range(8)]
    assert other_root != same_root


def test_each_column_has_its_own_key() -> None:
    indexer = BlindIndexer(ROOT)
    assert indexer.field_key("child.given_name") != indexer.field_key("child.family_name")
    names = [f"name{i}" for i in range(16)]
    given = [indexer.token("child.given_name", 12, n) for n in names]
    family = [indexer.token("child.family_name", 12, n) for n in names]
    assert given != family


def test_truncation_makes_distinct_values_share_tokens() -> None:
    """At 12 bits, 40,000 distinct names fill every bucket several times over."""
    indexer = BlindIndexer(ROOT)
    counts = Counter(indexer.token("child.family_name", 12, f"family{i}") for i in range(40_000))
    assert len(counts) == 2**12
    assert sorted(counts.values())[len(counts) // 2] >= 8  # the median bucket
    assert sum(1 for n in counts.values() if n >= 2) / len(counts) > 0.99


def test_tokens_of_a_value_cover_its_words() -> None:
    indexer = BlindIndexer(ROOT)
    tokens = indexer.tokens("child.given_name", name_index(), "Anna-Maria")
    assert tokens == {
        indexer.token("child.given_name", 12, "anna"),
        indexer.token("child.given_name", 12, "maria"),
    }
    assert indexer.tokens("child.date_of_birth", date_index(), None) == set()
    assert indexer.tokens("child.date_of_birth", date_index(), date(2013, 5, 17)) == {
        indexer.token("child.date_of_birth", 8, "2013-05-17")
    }


@pytest.mark.parametrize("bits", [0, 32, -1])
def test_bits_out_of_range_are_refused(bits: int) -> None:
    with pytest.raises(ValueError, match="1 to 31 bits"):
        BlindIndex("name", bits)


def test_the_indexer_does_not_show_its_key() -> None:
    assert ROOT.hex() not in repr(BlindIndexer(ROOT))


@given(st.text())
def test_typing_the_plain_form_of_any_name_finds_it(name: str) -> None:
    """Whatever was stored, each word of its accent-free lower-case spelling is one of
    the terms it is indexed under; without Cyrillic letters the terms are the same."""
    stored = name_terms(name)
    assert all(forms & stored for forms in name_words(normalise(name)))
    if not has_cyrillic(name):
        assert name_terms(normalise(name)) == stored
    if name.isascii():
        assert name_terms(name.upper()) == name_terms(name.lower())


@given(st.text(alphabet="абвгґдеєжзиіїйклмнопрстуўфхцчшщъыьэюяАБВГДЕЄЖЗИІЇЙЮЯ -", min_size=1))
def test_typing_a_cyrillic_name_without_its_marks_still_finds_it(name: str) -> None:
    """Й typed as И, Ї as І, Ё as Е: the plain Cyrillic spelling is one of the terms."""
    stored = name_terms(name)
    assert all(forms & stored for forms in name_words(normalise(name)))


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("oleksandr", "Олександр"),
        ("Олександр", "Oleksandr"),
        ("iryna melnyk", "Ірина Мельник"),
        ("yuliia", "Юлія"),  # Ukrainian national system ...
        ("iuliia", "Юлія"),  # ... and ICAO 9303 ...
        ("iuliia", "Юлия"),  # ... for a Russian name too,
        ("yuliya", "Юлия"),  # ... and BGN/PCGN
        ("Юлия", "Iuliia"),
        ("natalia petrova", "Наталья Петрова"),
        ("natalya petrova", "Наталья Петрова"),
        ("Наталья", "Natalya"),
        ("aliaksandr", "Аляксандр"),
        ("ihar", "Ігар"),  # Belarusian: Г is H
        ("maryana", "Мар'яна"),
        ("mariana", "Мар’яна"),
        ("марьяна", "Марьяна"),
        ("андрии", "Андрій"),
        ("zghurivka", "Згурівка"),
    ],
)
def test_latin_and_cyrillic_spellings_of_a_name_meet(typed: str, stored: str) -> None:
    terms = name_terms(stored)
    words = name_words(typed)
    assert words and all(forms & terms for forms in words)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("oleksandr", "Александр"), ("iryna", "Ирина Мельник"), ("olena", "Олег")],
)
def test_different_names_do_not_meet(typed: str, stored: str) -> None:
    assert not all(forms & name_terms(stored) for forms in name_words(typed))


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("fx 123456", "FX123456"),
        ("kv-123-456", "КВ 123456"),
        ("ab 12 34 56", "AB123456"),
    ],
)
def test_document_numbers_meet_however_they_are_spaced(typed: str, stored: str) -> None:
    index = document_index()
    assert index.terms(typed) == index.terms(stored) != frozenset()


def test_a_one_character_document_number_is_no_term() -> None:
    assert document_index().terms("-7-") == frozenset()
