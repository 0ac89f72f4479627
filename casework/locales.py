"""The languages Casework speaks, the time zones of the countries it serves, and how
dates and times are written in each language.

Pure data and formatting: the web layer picks the reader's language and zone
(casework/views/language.py) and hands them here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale
from babel.dates import format_date, format_time
from babel.lists import format_list
from babel.units import format_unit

# Code -> the language's own name, in the order the switcher lists them: English first,
# then the languages of the Baltic Sea states, then Ukrainian and Russian.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "da": "Dansk",
    "de": "Deutsch",
    "et": "Eesti",
    "is": "Íslenska",
    "lv": "Latviešu",
    "lt": "Lietuvių",
    "nb": "Norsk bokmål",
    "pl": "Polski",
    "fi": "Suomi",
    "sv": "Svenska",
    "uk": "Українська",
    "ru": "Русский",
}

# ISO 3166 country -> (its time zone, its first language), for the countries whose
# organisations use Casework. An organisation's country sets its users' defaults.
COUNTRIES: dict[str, tuple[str, str]] = {
    "DK": ("Europe/Copenhagen", "da"),
    "DE": ("Europe/Berlin", "de"),
    "EE": ("Europe/Tallinn", "et"),
    "FI": ("Europe/Helsinki", "fi"),
    "IS": ("Atlantic/Reykjavik", "is"),
    "LV": ("Europe/Riga", "lv"),
    "LT": ("Europe/Vilnius", "lt"),
    "NO": ("Europe/Oslo", "nb"),
    "PL": ("Europe/Warsaw", "pl"),
    "SE": ("Europe/Stockholm", "sv"),
    "UA": ("Europe/Kyiv", "uk"),
}

# English keeps ISO 8601, the form the international teams share; every other language
# writes dates and times as its own conventions (CLDR, through Babel) say.
_ISO_MOMENT = "%Y-%m-%d %H:%M"


def is_language(code: object) -> bool:
    return isinstance(code, str) and code in LANGUAGES


def is_time_zone(name: object) -> bool:
    return isinstance(name, str) and name in time_zones()


# Old names the time zone database keeps only as links to the current ones: not offered,
# since a system may drop them (Europe/Kiev is Europe/Kyiv).
_LEGACY_ZONES = frozenset(
    {
        "Atlantic/Faeroe",
        "Atlantic/Jan_Mayen",
        "Europe/Belfast",
        "Europe/Kiev",
        "Europe/Nicosia",
        "Europe/Tiraspol",
        "Europe/Uzhgorod",
        "Europe/Zaporozhye",
    }
)


@cache
def time_zones() -> tuple[str, ...]:
    """The zones a user may choose: Europe's, the Atlantic islands', and UTC."""
    ours = (
        z
        for z in available_timezones()
        if z.startswith(("Europe/", "Atlantic/")) and z not in _LEGACY_ZONES
    )
    return (*sorted(ours), "UTC")


def zone_of_country(country: str | None, fallback: str) -> str:
    found = COUNTRIES.get((country or "").upper())
    return found[0] if found else fallback


def language_of_country(country: str | None, fallback: str) -> str:
    found = COUNTRIES.get((country or "").upper())
    return found[1] if found else fallback


# Languages a child may speak that Casework writes in another code.
_SAME_LANGUAGE = {"no": "nb", "nn": "nb"}


def childs_language(spoken: tuple[str, ...] | list[str], fallback: str) -> str:
    """The first of the child's languages that Casework speaks, else `fallback`."""
    for code in spoken:
        code = _SAME_LANGUAGE.get(code, code)
        if is_language(code):
            return code
    return fallback


def babel_locale(code: str) -> Locale:
    return Locale.parse(code if is_language(code) else "en")


def local(moment: datetime, zone: str) -> datetime:
    """A stored naive-UTC moment in `zone`."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(zone))


def day_text(value: date | datetime, language: str, zone: str = "UTC") -> str:
    """A date (or the local date of a moment) as the language writes it."""
    if isinstance(value, datetime):
        value = local(value, zone).date()
    if language == "en":
        return value.isoformat()
    return format_date(value, "medium", locale=babel_locale(language))


def moment_text(value: datetime, language: str, zone: str) -> str:
    """A moment in the reader's zone, as the reader's language writes it."""
    shown = local(value, zone)
    if language == "en":
        return shown.strftime(_ISO_MOMENT)
    where = babel_locale(language)
    day = format_date(shown.date(), "medium", locale=where)
    return f"{day} {format_time(shown, 'short', locale=where)}"


HOUR = 3600
DAY = 24 * HOUR


def duration_text(value: timedelta, language: str) -> str:
    """A length of time as the language says it, whole units rounded down: under an
    hour in minutes ("45 minutes"), under a day in hours ("1 hour", "3 hours"), longer
    in days and hours ("2 days", "1 day, 3 hours"). The units, their plurals and the
    word between them are the language's own (CLDR, through Babel)."""
    where = babel_locale(language)
    seconds = max(int(value.total_seconds()), 0)

    def unit(amount: int, name: str) -> str:
        return str(format_unit(amount, f"duration-{name}", length="long", locale=where))

    if seconds < HOUR:
        return unit(seconds // 60, "minute")
    if seconds < DAY:
        return unit(seconds // HOUR, "hour")
    days, hours = seconds // DAY, seconds % DAY // HOUR
    if not hours:
        return unit(days, "day")
    return str(format_list([unit(days, "day"), unit(hours, "hour")], style="unit", locale=where))
