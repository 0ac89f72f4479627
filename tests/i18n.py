"""The catalogues' own translations, for tests that read a page in another language."""

from __future__ import annotations

from functools import cache

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from casework.cli.translations import catalogue_path


@cache
def _catalogue(language: str) -> Catalog:
    with catalogue_path(language).open("rb") as f:
        return read_po(f, locale=language)


def translated(language: str, message: str, **values: object) -> str:
    """The translation of `message`, with its placeholders filled; never the English."""
    found = _catalogue(language).get(message)
    assert found is not None and isinstance(found.string, str), (language, message)
    assert found.string and found.string != message, (language, message)
    return found.string % values if values else found.string


def plural_forms(language: str, singular: str) -> tuple[str, ...]:
    """The catalogue's plural forms of `singular`; never the English."""
    found = _catalogue(language).get(singular)
    assert found is not None and isinstance(found.string, tuple), (language, singular)
    assert all(form and form != singular for form in found.string), (language, singular)
    return found.string
