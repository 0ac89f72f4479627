"""Babel extractors for config/codes.toml and config/access_policy.toml, so coded-list
and role labels reach the catalogue.

babel.cfg names it under [extractors]; `pybabel extract -F babel.cfg -o messages.pot .`
then yields every label of every [lists.NAME] table with a comment naming its code.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import IO, Any

_OTHER_TABLE = re.compile(r"^\s*\[")

Messages = Iterator[tuple[int, str | None, str, list[str]]]
Extractor = Callable[[IO[bytes], Mapping[str, Any], Collection[str], Mapping[str, Any]], Messages]


def _scanner(table: re.Pattern[str], entry: re.Pattern[str], comment: str) -> Extractor:
    """A Babel extractor yielding (line, function, message, comments) for each line
    matching `entry` inside a table whose header matches `table` (its name in group 1).
    `entry` holds the TOML string in its group `text`; `comment` is formatted with the
    table's name (`table`) and the entry's named groups."""

    def scan(
        fileobj: IO[bytes],
        keywords: Mapping[str, Any],
        comment_tags: Collection[str],
        options: Mapping[str, Any],
    ) -> Messages:
        current: str | None = None
        for number, raw in enumerate(fileobj.read().decode("utf-8").splitlines(), start=1):
            header = table.match(raw)
            if header:
                current = header.group(1)
                continue
            if _OTHER_TABLE.match(raw):
                current = None
                continue
            found = entry.match(raw)
            if current and found:
                # Let TOML itself undo the string's escapes.
                message = tomllib.loads(f"v = {found.group('text')}")["v"]
                yield number, None, message, [comment.format(table=current, **found.groupdict())]

    return scan


# Every label of every [lists.NAME] table, with a comment naming its code.
extract_labels = _scanner(
    re.compile(r"^\s*\[lists\.([a-z_]+)\]\s*$"),
    re.compile(r"^\s*(?P<code>[a-z][a-z0-9_]*)\s*=\s*(?P<text>\".*\")\s*(#.*)?$"),
    "coded list {table}, code {code}",
)

# The label of each role of config/access_policy.toml: roles are data, and their labels
# are message ids translated where they are shown.
extract_role_labels = _scanner(
    re.compile(r"^\s*\[roles\.([a-z][a-z0-9_]*)\]\s*$"),
    re.compile(r"^\s*label\s*=\s*(?P<text>\".*\")\s*(#.*)?$"),
    "access policy, role {table}",
)
