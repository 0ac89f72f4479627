"""The reminder rules' settings (config/reminders.toml), checked at start-up."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casework.settings import ConfigError, line_of

# rule -> (the setting it takes, lowest, highest)
RULES: dict[str, tuple[str, int, int]] = {
    "reflection_period_ends": ("days_before", 0, 365),
    "support_plan_review": ("days_before", 0, 365),
    "reoffer_due": ("days_before", 0, 365),
    "guardian_appointment_ends": ("days_before", 0, 365),
    "turns_18": ("days_before", 0, 3 * 365),
    "referral_waiting": ("working_days", 1, 60),
    "no_lead": ("days", 1, 60),
}


@dataclass(frozen=True)
class Rule:
    name: str
    enabled: bool
    # days_before, working_days or days, as RULES names it for the rule
    amount: int


def load_rules(path: Path) -> dict[str, Rule]:
    """Every rule, with its defaults where the file leaves one out; ConfigError naming
    the file and line for anything unknown or out of range."""
    try:
        text = path.read_text(encoding="utf-8")
        raw: dict[str, Any] = tomllib.loads(text)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    rules: dict[str, Rule] = {}
    for name, table in raw.items():
        if name not in RULES or not isinstance(table, dict):
            _refuse(path, text, f"unknown reminder rule '{name}'")
        setting, low, high = RULES[name]
        unknown = set(table) - {"enabled", setting}
        if unknown:
            _refuse(
                path, text, f"rule {name} takes enabled and {setting}, not '{sorted(unknown)[0]}'"
            )
        enabled = table.get("enabled", True)
        amount = table.get(setting)
        if not isinstance(enabled, bool):
            _refuse(path, text, f"{name}: enabled is true or false in '{name}'")
        if isinstance(amount, bool) or not isinstance(amount, int) or not low <= amount <= high:
            _refuse(
                path, text, f"{name}: {setting} is a whole number from {low} to {high} in '{name}'"
            )
        rules[name] = Rule(name, enabled, amount)
    missing = set(RULES) - set(rules)
    if missing:
        _refuse(path, text, f"no settings for the rule '{sorted(missing)[0]}'")
    return rules


def _refuse(path: Path, text: str, reason: str) -> None:
    line = line_of(text, reason)
    where = f"{path}:{line}" if line else str(path)
    raise ConfigError(f"{where}: {reason}")
