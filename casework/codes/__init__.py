"""Coded lists and country rules from config/, checked at start-up.

Labels are English message ids shown through Flask-Babel's gettext, so they appear in
the reader's language; casework.codes.extract hands them to `pybabel extract`.
Country and language names come translated from the CLDR data that Babel ships.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from flask import Flask, current_app
from flask_babel import get_locale
from flask_babel import gettext as translate

from casework.codes.lists import ONLINE_AS, CodedLists, CodeList, CodesError, load_lists
from casework.codes.rules import CountryRules, ReflectionPeriod, load_rules
from casework.settings import PROJECT_ROOT

EXTENSION_KEY = "casework.codes"
CODES_FILE = PROJECT_ROOT / "config" / "codes.toml"
RULES_FILE = PROJECT_ROOT / "config" / "country_rules.toml"

__all__ = [
    "ONLINE_AS",
    "CodeList",
    "Codes",
    "CodesError",
    "ReflectionPeriod",
    "choices",
    "current_codes",
    "init_app",
    "is_code",
    "is_nationality",
    "is_offered",
    "label",
    "labels",
    "nationality_choices",
]


@dataclass(frozen=True)
class Codes:
    lists: CodedLists
    rules: CountryRules


def load() -> Codes:
    lists = load_lists(CODES_FILE)
    return Codes(lists=lists, rules=load_rules(RULES_FILE, lists.codes(CodeList.COUNTRY)))


def init_app(app: Flask) -> Codes:
    """Load and check the lists and rules (CodesError names the problem), for the app."""
    loaded = app.extensions[EXTENSION_KEY] = load()
    app.jinja_env.globals.update(code_label=label, code_labels=labels)
    return loaded


def current_codes() -> Codes:
    codes: Codes = current_app.extensions[EXTENSION_KEY]
    return codes


def is_code(name: CodeList, code: str) -> bool:
    """The code is in the list (retired codes too: records may hold them)."""
    return current_codes().lists.has(name, code)


def is_offered(name: CodeList, code: str) -> bool:
    """The code may be given now: in the list and not retired."""
    return current_codes().lists.is_offered(name, code)


def label(name: CodeList | str, code: str | None) -> str:
    """The code's label in the reader's language; an unknown code shows as itself."""
    if not code:
        return ""
    name = CodeList(name)
    locale = get_locale()
    if name is CodeList.COUNTRY and code.isupper() and locale is not None:
        return str(locale.territories.get(code, code))
    if name is CodeList.COUNTRY:  # a nationality that is no country: stateless, not known
        name = CodeList.NATIONALITY_OTHER
    if name is CodeList.LANGUAGE and locale is not None:
        return str(locale.languages.get(code, code))
    english = current_codes().lists.english(name, code)
    return translate(english) if english else code


def labels(name: CodeList | str, codes: Iterable[str] | None) -> str:
    return ", ".join(label(name, code) for code in codes or ())


def choices(name: CodeList) -> list[tuple[str, str]]:
    """(code, label) pairs for a form, retired codes left out; countries and languages
    sorted by their label."""
    pairs = [(code, label(name, code)) for code in current_codes().lists.offered(name)]
    if name in (CodeList.COUNTRY, CodeList.LANGUAGE):
        pairs.sort(key=lambda pair: collation_key(pair[1]))
    return pairs


# Cyrillic letters that follow a base letter in the alphabets that have them (Ukrainian
# і ї є ґ, Belarusian ў) but do not decompose into it.
_CYRILLIC_AFTER = str.maketrans({"і": "и", "ї": "и", "є": "е", "ґ": "г", "ў": "у"})


def collation_key(text: str) -> tuple[str, str]:
    """Sort as a reader expects rather than by code point: accented letters beside their
    base letter (Latvian Č with C, Ž with Z), Ukrainian І with И; the full text breaks ties.
    Close to each alphabet's own order without a collation library."""
    folded = unicodedata.normalize("NFD", text.casefold())
    base = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return base.translate(_CYRILLIC_AFTER), folded


def nationality_choices() -> list[tuple[str, str]]:
    """Countries, then the answers that are no country (stateless, not known)."""
    return choices(CodeList.COUNTRY) + choices(CodeList.NATIONALITY_OTHER)


def is_nationality(code: str) -> bool:
    return is_code(CodeList.COUNTRY, code) or is_code(CodeList.NATIONALITY_OTHER, code)
