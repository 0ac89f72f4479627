"""How long something lasted, as each language says it (a missing child's episodes):
whole units, the language's own plurals and the word between days and hours."""

from __future__ import annotations

from datetime import timedelta

import pytest

from casework.locales import LANGUAGES, duration_text

H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("length", "english"),
    [
        (timedelta(), "0 minutes"),
        (timedelta(seconds=-30), "0 minutes"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(minutes=59, seconds=59), "59 minutes"),
        (H, "1 hour"),
        (3 * H + timedelta(minutes=59), "3 hours"),
        (23 * H + timedelta(minutes=59), "23 hours"),
        (24 * H, "1 day"),
        (27 * H, "1 day, 3 hours"),
        (48 * H + timedelta(minutes=20), "2 days"),
        (53 * H, "2 days, 5 hours"),
        (timedelta(days=40, hours=1), "40 days, 1 hour"),
    ],
)
def test_english(length: timedelta, english: str) -> None:
    assert duration_text(length, "en") == english


@pytest.mark.parametrize(
    ("language", "length", "said"),
    [
        ("de", H, "1 Stunde"),
        ("de", 3 * H, "3 Stunden"),
        ("de", 53 * H, "2 Tage, 5 Stunden"),
        ("fi", 27 * H, "1 päivä ja 3 tuntia"),
        ("ru", 21 * H, "21 час"),
        ("ru", 22 * H, "22 часа"),
        ("ru", timedelta(days=5), "5 дней"),
        ("lt", timedelta(days=21), "21 diena"),
        ("pl", 2 * H, "2 godziny"),
        ("pl", 5 * H, "5 godzin"),
        ("uk", 28 * H, "1 день і 4 години"),
    ],
)
def test_other_languages(language: str, length: timedelta, said: str) -> None:
    assert duration_text(length, language) == said


def test_every_language_says_it_without_a_fraction() -> None:
    for language in LANGUAGES:
        for length in (timedelta(minutes=7), 5 * H, 53 * H):
            said = duration_text(length, language)
            assert said and "." not in said and "," not in said.split()[0], (language, said)
