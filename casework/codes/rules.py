"""Loading and checking config/country_rules.toml: rules that differ between countries."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casework.codes.lists import CodesError, read_toml

# Council of Europe Convention on Action against Trafficking, Art. 13: at least 30 days.
# A floor in the law, not a setting: no file can lower it.
REFLECTION_FLOOR_DAYS = 30
REFLECTION_CEILING_DAYS = 3 * 365


@dataclass(frozen=True)
class ReflectionPeriod:
    default_days: int
    minimum_days: int


@dataclass(frozen=True)
class CountryRules:
    reflection_default: ReflectionPeriod
    reflection_by_country: dict[str, ReflectionPeriod]

    def reflection(self, country: str | None) -> ReflectionPeriod:
        return self.reflection_by_country.get(country or "", self.reflection_default)


def load_rules(path: Path, countries: tuple[str, ...]) -> CountryRules:
    data, _text = read_toml(path)

    def fail(reason: str) -> CodesError:
        return CodesError(f"{path}: {reason}")

    section = data.get("reflection_period")
    if not isinstance(section, dict):
        raise fail("[reflection_period] is missing")
    default = _period(section, "[reflection_period]", fail)
    by_country: dict[str, ReflectionPeriod] = {}
    table = section.get("countries", {})
    if not isinstance(table, dict):
        raise fail("[reflection_period.countries] must be a table")
    for country, body in table.items():
        if country not in countries:
            raise fail(f"[reflection_period.countries]: unknown country '{country}'")
        if not isinstance(body, dict):
            raise fail(f"[reflection_period.countries] {country} must be a table")
        by_country[country] = _period(body, country, fail)
    return CountryRules(reflection_default=default, reflection_by_country=by_country)


def _period(body: dict[str, Any], where: str, fail: Any) -> ReflectionPeriod:
    numbers = []
    for key in ("default_days", "minimum_days"):
        value = body.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise fail(f"{where}: {key} must be a whole number of days")
        if not REFLECTION_FLOOR_DAYS <= value <= REFLECTION_CEILING_DAYS:
            raise fail(
                f"{where}: {key} = {value} is outside {REFLECTION_FLOOR_DAYS} to "
                f"{REFLECTION_CEILING_DAYS} days (the Convention's floor is 30)"
            )
        numbers.append(value)
    default_days, minimum_days = numbers
    if default_days < minimum_days:
        raise fail(f"{where}: default_days is below minimum_days")
    return ReflectionPeriod(default_days=default_days, minimum_days=minimum_days)
