"""The catalogues: all thirteen complete, and the check that says so can fail."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from casework.cli.translations import (
    TRANSLATIONS,
    catalogue_path,
    check_all,
    check_catalogue,
    compile_catalogues,
    extract,
)
from casework.locales import LANGUAGES


@pytest.fixture(scope="module")
def template() -> Catalog:
    return extract()


def test_the_thirteen_languages_are_offered() -> None:
    assert set(LANGUAGES) == {
        "en", "da", "de", "et", "fi", "is", "lv", "lt", "nb", "pl", "sv", "uk", "ru"
    }  # fmt: skip


def test_every_catalogue_has_every_message_translated(template: Catalog) -> None:
    # extract() is what `pybabel extract` finds in the tree now: a message added to the
    # code and not to the catalogues fails here, as does a fuzzy or untranslated entry.
    problems = check_all()
    assert problems == [], "\n".join(str(p) for p in problems[:40])
    assert len(template) > 1000


def test_the_committed_template_is_what_the_tree_holds(template: Catalog) -> None:
    with (TRANSLATIONS / "messages.pot").open("rb") as f:
        committed = read_po(f)
    assert {m.id for m in committed if m.id} == {m.id for m in template if m.id}, (
        "run `make translations` and translate the new messages"
    )


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, root)
    return root


def _rewrite(root: Path, language: str, change: object) -> str:
    path = catalogue_path(language, root)
    with path.open("rb") as f:
        catalogue = read_po(f, locale=language)
    key = change(catalogue)  # type: ignore[operator]
    with path.open("wb") as f:
        write_po(f, catalogue)
    return str(key)


def _first_with_placeholder(catalogue: Catalog) -> str:
    for message in catalogue:
        if isinstance(message.id, str) and "%(" in message.id:
            return message.id
    raise AssertionError("no message with a placeholder")


def test_check_fails_when_a_message_is_removed(tmp_path: Path, template: Catalog) -> None:
    root = _copy(tmp_path)
    assert check_catalogue("lv", template, root) == []

    def remove(catalogue: Catalog) -> str:
        key = "Sign in"
        catalogue.delete(key)
        return key

    _rewrite(root, "lv", remove)
    problems = check_catalogue("lv", template, root)
    assert [(p.message, p.what) for p in problems] == [("Sign in", "missing")]
    assert check_catalogue("fi", template, root) == []


def test_check_fails_on_a_fuzzy_entry_and_on_changed_placeholders(
    tmp_path: Path, template: Catalog
) -> None:
    root = _copy(tmp_path)

    def garble(catalogue: Catalog) -> str:
        catalogue["Sign out"].flags.add("fuzzy")
        key = _first_with_placeholder(catalogue)
        catalogue[key].string = "%(wrong)s"
        return key

    key = _rewrite(root, "uk", garble)
    found = {(p.message, p.what.split(" ")[0]) for p in check_catalogue("uk", template, root)}
    # Babel's own check (as `pybabel compile` runs it) reports the placeholder as well.
    assert found == {("Sign out", "fuzzy"), (key, "placeholders"), (key, "check:")}


def test_check_fails_when_a_catalogue_is_missing(tmp_path: Path, template: Catalog) -> None:
    root = _copy(tmp_path)
    catalogue_path("is", root).unlink()
    assert [p.what for p in check_catalogue("is", template, root)] == ["no catalogue"]


def test_compiling_writes_what_is_missing_or_stale_and_gettext_reads_it(tmp_path: Path) -> None:
    import gettext
    import os

    root = _copy(tmp_path)
    for mo in root.glob("*/LC_MESSAGES/messages.mo"):
        mo.unlink()
    written = compile_catalogues(root)
    assert {p.parent.parent.name for p in written} == set(LANGUAGES)
    latvian = gettext.translation("messages", str(root), languages=["lv"])
    assert latvian.gettext("Sign in") not in ("", "Sign in")
    assert compile_catalogues(root) == []  # nothing stale: nothing written
    po = catalogue_path("fi", root)
    later = po.with_suffix(".mo").stat().st_mtime + 10
    os.utime(po, (later, later))
    assert [p.parent.parent.name for p in compile_catalogues(root)] == ["fi"]
