"""Babel extractors for config/codes.toml and config/access_policy.toml, so coded-list
and role labels reach the catalogue.

babel.cfg names it under [extractors]; `pybabel extract -F babel.cfg -o messages.pot .`
then yields every label of every [lists.NAME] table with a comment naming its code.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

_TABLE = re.compile(r"^\s*\[lists\.([a-z_]+)\]\s*$")
_OTHER_TABLE = re.compile(r"^\s*\[")
_ENTRY = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*=\s*(\".*\")\s*(#.*)?$")


def extract_labels(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Yield (line, function, message, comments) for each coded-list label."""
    current: str | None = None
    for number, raw in enumerate(fileobj.read().decode("utf-8").splitlines(), start=1):
        table = _TABLE.match(raw)
        if table:
            current = table.group(1)
            continue
        if _OTHER_TABLE.match(raw):
            current = None
            continue
        entry = _ENTRY.match(raw)
        if current and entry:
            # Let TOML itself undo the string's escapes.
            message = tomllib.loads(f"v = {entry.group(2)}")["v"]
            yield number, None, message, [f"coded list {current}, code {entry.group(1)}"]


_ROLE_TABLE = re.compile(r"^\s*\[roles\.([a-z][a-z0-9_]*)\]\s*$")
_LABEL = re.compile(r"^\s*label\s*=\s*(\".*\")\s*(#.*)?$")


def extract_role_labels(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Yield the label of each role of config/access_policy.toml: roles are data, and
    their labels are message ids translated where they are shown."""
    current: str | None = None
    for number, raw in enumerate(fileobj.read().decode("utf-8").splitlines(), start=1):
        table = _ROLE_TABLE.match(raw)
        if table:
            current = table.group(1)
            continue
        if _OTHER_TABLE.match(raw):
            current = None
            continue
        label = _LABEL.match(raw)
        if current and label:
            message = tomllib.loads(f"v = {label.group(1)}")["v"]
            yield number, None, message, [f"access policy, role {current}"]
