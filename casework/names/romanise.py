"""Romanisation of Ukrainian, Russian and Belarusian Cyrillic names, by the standard
systems a child's documents are likely to use.

- `uk-2010`: the Ukrainian national system (Cabinet of Ministers of Ukraine resolution
  No. 55 of 27 January 2010), used in Ukrainian passports: Г is H, И is Y, and Є, Ї, Й,
  Ю, Я are written Ye, Yi, Y, Yu, Ya at the start of a word and ie, i, i, iu, ia
  elsewhere; Зг is Zgh; the soft sign and the apostrophe are dropped.
- `icao-9303`: ICAO Doc 9303 (Machine Readable Travel Documents, part 3), used in
  Russian passports since 2014 and by many other states: one spelling per letter
  whatever its place (Ю IU, Я IA, Й I, Ъ IE), with the document's language-specific
  notes (Ukrainian И is Y; Belarusian Г is H and Ё is IO).
- `ru-bgn-pcgn`: BGN/PCGN 1947, found on older Russian documents and in English-language
  records (Ю YU, Я YA, Й Y, Е YE at the start of a word and after a vowel).

Which language a word is in is not known, so each word is romanised under every
language whose alphabet it fits (a word with І, Ї, Є or Ґ is not Russian; one with Ы,
Э, Ъ or Ё is not Ukrainian; Belarusian has no И, Щ, Ъ, Ї, Є or Ґ). The few spellings
this yields all find the child.

A well-kept library was looked for first: `iuliia` implements ICAO 9303 and BGN/PCGN
for Russian but has no Ukrainian system; `cyrtranslit` and `transliterate` use their
own tables, not the national 2010 system. The tables below are the official ones.
"""

from __future__ import annotations

import re
import unicodedata

UK_2010 = "uk-2010"
ICAO_9303 = "icao-9303"
RU_BGN_PCGN = "ru-bgn-pcgn"
SYSTEMS = (UK_2010, ICAO_9303, RU_BGN_PCGN)

UKRAINIAN = "uk"
RUSSIAN = "ru"
BELARUSIAN = "be"

# Apostrophes written inside Ukrainian and Belarusian words (Мар'яна, Знам'янка).
APOSTROPHES = "'\u2019\u02bc\u02b9`\u2018"

_CYRILLIC = re.compile("[\u0400-\u04ff]")
_INNER_APOSTROPHE = re.compile(f"(?<=[\u0400-\u04ff])[{APOSTROPHES}](?=[\u0400-\u04ff])")

# ICAO Doc 9303, part 3, the Cyrillic table (lower case; the document writes capitals).
_ICAO = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e",
    "є": "ie", "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "i", "й": "i", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ў": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip
# The table's notes for single languages.
_ICAO_LANGUAGE = {
    UKRAINIAN: {"и": "y"},
    RUSSIAN: {},
    BELARUSIAN: {"г": "h", "ё": "io"},
}

# Ukrainian national system of 2010 (resolution No. 55), elsewhere in a word ...
_UK_2010 = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "",
    "ю": "iu", "я": "ia",
}  # fmt: skip
# ... and at the start of a word.
_UK_2010_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}

# BGN/PCGN 1947 for Russian; the hard and soft signs are dropped from names.
_BGN_PCGN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
}  # fmt: skip
# Е and Ё are YE and YE (ё) at the start of a word and after a vowel, Й, Ъ or Ь.
_BGN_Y_AFTER = set("аеёиоуыэюяйъь")

_NOT_RUSSIAN = set("іїєґў")
_NOT_UKRAINIAN = set("ыэъёў")
_NOT_BELARUSIAN = set("ищъїєґ")


def has_cyrillic(text: str) -> bool:
    return _CYRILLIC.search(text) is not None


def _prepared(word: str) -> str:
    """Composed (й stays й), lower case, apostrophes inside a word removed."""
    return _INNER_APOSTROPHE.sub("", unicodedata.normalize("NFC", word)).casefold()


def languages(word: str) -> tuple[str, ...]:
    """The languages whose alphabet `word` fits; all three if it fits none."""
    letters = set(_prepared(word))
    fits = tuple(
        language
        for language, excluded in (
            (UKRAINIAN, _NOT_UKRAINIAN),
            (RUSSIAN, _NOT_RUSSIAN),
            (BELARUSIAN, _NOT_BELARUSIAN),
        )
        if not letters & excluded
    )
    return fits or (UKRAINIAN, RUSSIAN, BELARUSIAN)


def _uk_2010(word: str) -> str:
    out: list[str] = []
    for i, letter in enumerate(word):
        if i == 0 and letter in _UK_2010_INITIAL:
            out.append(_UK_2010_INITIAL[letter])
        elif letter == "г" and i > 0 and word[i - 1] == "з":
            out.append("gh")  # Зг is Zgh, so that it is not read as Zh
        else:
            out.append(_UK_2010.get(letter, _ICAO.get(letter, letter)))
    return "".join(out)


def _icao(word: str, language: str) -> str:
    notes = _ICAO_LANGUAGE[language]
    return "".join(notes.get(c, _ICAO.get(c, c)) for c in word)


def _bgn_pcgn(word: str) -> str:
    out: list[str] = []
    for i, letter in enumerate(word):
        after_y = i == 0 or word[i - 1] in _BGN_Y_AFTER
        if letter in "её" and after_y:
            out.append("ye")
        else:
            out.append(_BGN_PCGN.get(letter, _ICAO.get(letter, letter)))
    return "".join(out)


def romanise(text: str, system: str, language: str = UKRAINIAN) -> str:
    """`text` in lower-case Latin letters under `system` (for ICAO 9303, with the notes
    for `language`); letters that are not Cyrillic are kept as they are."""
    words = re.split(r"(\s+|-)", _prepared(text))
    if system == UK_2010:
        return "".join(_uk_2010(w) for w in words)
    if system == ICAO_9303:
        return "".join(_icao(w, language) for w in words)
    if system == RU_BGN_PCGN:
        return "".join(_bgn_pcgn(w) for w in words)
    raise ValueError(f"unknown romanisation system {system!r}")


def romanisations(word: str) -> frozenset[str]:
    """Every standard romanisation of one word in the languages it may be in; empty for
    a word without Cyrillic letters."""
    if not has_cyrillic(word):
        return frozenset()
    fits = languages(word)
    spellings = {romanise(word, ICAO_9303, language) for language in fits}
    if UKRAINIAN in fits:
        spellings.add(romanise(word, UK_2010))
    if RUSSIAN in fits:
        spellings.add(romanise(word, RU_BGN_PCGN))
    return frozenset(spellings)
