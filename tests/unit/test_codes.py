"""config/codes.toml and config/country_rules.toml: checked at start-up, labels through
Flask-Babel and collected by the Babel extractor."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from flask import Flask

from casework import codes
from casework.codes import CodeList, CodesError
from casework.codes.lists import NAMED_CODES, REQUIRED_CODES, load_lists
from casework.codes.rules import load_rules
from casework.models.team import CLINICAL_ACTOR_TYPES as CLINICAL
from casework.settings import PROJECT_ROOT

CODES = PROJECT_ROOT / "config" / "codes.toml"
RULES = PROJECT_ROOT / "config" / "country_rules.toml"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_lists_load_with_every_list_and_iso_code() -> None:
    lists = load_lists(CODES)
    assert set(lists.lists) == set(CodeList)
    assert len(lists.codes(CodeList.COUNTRY)) == 250  # ISO 3166-1 and Kosovo
    assert {"UA", "LV", "XK"} <= set(lists.codes(CodeList.COUNTRY))
    assert {"uk", "ru", "rom"} <= set(lists.codes(CodeList.LANGUAGE))
    for name, required in REQUIRED_CODES.items():
        assert required <= set(lists.codes(name))


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("[lists.indicator]", "[lists.indicators]", "unknown list 'indicators'"),
        ('"UA", ', '"UA", "QQ", ', "[iso] countries: unknown code 'QQ'"),
        (
            "arrested_or_suspected = ",
            "arrested = ",
            "the code 'arrested_or_suspected' must stay in list 'identification_context'",
        ),
        ("forced_criminality = ", "Forced-Criminality = ", "malformed code 'Forced-Criminality'"),
        (
            'surrogacy = "Exploitation of surrogacy"',
            'surrogacy = ""',
            "code 'surrogacy' needs a label",
        ),
    ],
)
def test_a_broken_list_is_refused_by_name_and_line(
    tmp_path: Path, old: str, new: str, fragment: str
) -> None:
    text = CODES.read_text(encoding="utf-8")
    assert old in text
    path = _write(tmp_path, "codes.toml", text.replace(old, new, 1))
    with pytest.raises(CodesError, match=re.escape(fragment)) as err:
        load_lists(path)
    assert str(path) in str(err.value)
    assert ", line " in str(err.value) or "[iso]" in fragment


def _without(text: str, name: CodeList, code: str) -> str:
    """The codes file with `code` taken out of the table of list `name`."""
    header = f"[lists.{name.value}]\n"
    start = text.index(header) + len(header)
    end = text.index("\n[", start)
    table = re.sub(rf"^{code} = .*\n", "", text[start:end], count=1, flags=re.M)
    assert table != text[start:end]
    return text[:start] + table + text[end:]


NAMED = sorted((name, code) for name, named in NAMED_CODES.items() for code in named)


@pytest.mark.parametrize(("name", "code"), NAMED)
def test_a_code_the_program_names_must_stay(tmp_path: Path, name: CodeList, code: str) -> None:
    path = _write(tmp_path, "codes.toml", _without(CODES.read_text(encoding="utf-8"), name, code))
    with pytest.raises(CodesError) as err:
        load_lists(path)
    assert f"{path}, line " in str(err.value)
    assert f"the code '{code}' must stay in list '{name.value}'" in str(err.value)


def test_the_codes_the_program_names_are_required() -> None:
    from casework.codes import named

    assert NAMED_CODES[CodeList.ACTOR_TYPE] == named.named_codes(named.ActorType)
    assert {named.ActorType.SOCIAL_SERVICES, *CLINICAL} <= REQUIRED_CODES[CodeList.ACTOR_TYPE]
    assert named.MeasureType.PSYCHOLOGICAL in REQUIRED_CODES[CodeList.MEASURE_TYPE]
    assert named.Acceptance.DECLINES in REQUIRED_CODES[CodeList.ACCEPTANCE]
    assert named.NonPunishmentOutcome.PROSECUTED in REQUIRED_CODES[CodeList.NON_PUNISHMENT_OUTCOME]
    # Lists whose codes the program names none of need only codes of their own.
    for name in (CodeList.CONSENT, CodeList.OFFENCE, CodeList.NON_PUNISHMENT_STAGE):
        assert name not in REQUIRED_CODES


@pytest.mark.parametrize(("name", "code"), [("actor_type", "child_psychiatry"), ("sex", "other")])
def test_a_code_the_program_names_is_never_retired(tmp_path: Path, name: str, code: str) -> None:
    text = CODES.read_text(encoding="utf-8") + f'{name} = ["{code}"]\n'
    with pytest.raises(CodesError, match=f"{name}: '{code}' is named by Casework"):
        load_lists(_write(tmp_path, "codes.toml", text))


def test_a_missing_list_is_refused(tmp_path: Path) -> None:
    text = CODES.read_text(encoding="utf-8").split("[lists.reopening_reason]")[0]
    with pytest.raises(CodesError, match="list 'reopening_reason' is missing"):
        load_lists(_write(tmp_path, "codes.toml", text))


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("minimum_days = 30\n", "minimum_days = 14\n", "the Convention's floor is 30"),
        (
            "NO = { default_days = 180, minimum_days = 180 }",
            "NO = { default_days = 100, minimum_days = 180 }",
            "default_days is below minimum_days",
        ),
        ("DE = {", "XY = {", "unknown country 'XY'"),
        (
            "SE = { default_days = 30, minimum_days = 30 }",
            "SE = { default_days = 30 }",
            "minimum_days must be a whole number",
        ),
    ],
)
def test_country_rules_keep_the_reflection_floor(
    tmp_path: Path, old: str, new: str, fragment: str
) -> None:
    text = RULES.read_text(encoding="utf-8")
    assert old in text
    path = _write(tmp_path, "rules.toml", text.replace(old, new, 1))
    countries = load_lists(CODES).codes(CodeList.COUNTRY)
    with pytest.raises(CodesError, match=re.escape(fragment)):
        load_rules(path, countries)


def test_the_app_refuses_to_start_on_broken_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casework import create_app

    broken = CODES.read_text(encoding="utf-8").replace("[lists.flag_kind]", "[lists.flagkind]")
    monkeypatch.setattr(codes, "CODES_FILE", _write(tmp_path, "codes.toml", broken))
    with pytest.raises(CodesError, match="unknown list 'flagkind'"):
        create_app({"ENV": "testing", "INSTANCE_PATH": str(tmp_path)})


def test_the_app_refuses_to_start_without_a_code_it_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casework import create_app

    broken = _without(CODES.read_text(encoding="utf-8"), CodeList.ACTOR_TYPE, "health")
    monkeypatch.setattr(codes, "CODES_FILE", _write(tmp_path, "codes.toml", broken))
    with pytest.raises(CodesError, match="the code 'health' must stay in list 'actor_type'"):
        create_app({"ENV": "testing", "INSTANCE_PATH": str(tmp_path)})


def test_labels_go_through_babel_in_the_readers_language(app: Flask) -> None:
    with app.test_request_context():
        assert codes.label(CodeList.CARE_SITUATION, "unaccompanied") == "Unaccompanied"
        assert codes.label(CodeList.COUNTRY, "UA") == "Ukraine"
        assert codes.label(CodeList.COUNTRY, "stateless") == "Stateless"
        assert codes.label(CodeList.LANGUAGE, "lv") == "Latvian"
        assert codes.label(CodeList.INDICATOR, "retired_code") == "retired_code"
    with app.test_request_context(), app.app_context():
        from flask_babel import force_locale

        with force_locale("lv"):
            assert codes.label(CodeList.COUNTRY, "DE") == "Vācija"


def test_the_babel_extractor_collects_every_label() -> None:
    with (PROJECT_ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        # Babel's parse_mapping_cfg has no annotations.
        method_map, options_map = parse_mapping_cfg(fh)  # type: ignore[no-untyped-call]
    found = {
        message
        for filename, _line, message, _comments, _context in extract_from_dir(
            str(PROJECT_ROOT), method_map, options_map
        )
        if filename.endswith("codes.toml")
    }
    lists = load_lists(CODES)
    expected = {
        label
        for name in CodeList
        if name not in (CodeList.COUNTRY, CodeList.LANGUAGE)
        for label in lists.lists[name].values()
    }
    assert expected and expected <= found
    assert "An adult claims to have “found” the child" in found  # escapes undone by TOML


def test_lists_sort_as_their_readers_expect() -> None:
    from casework.codes import collation_key

    ukrainian = ["Японія", "Ісландія", "Італія", "Єгипет", "Австрія", "Китай"]
    assert sorted(ukrainian, key=collation_key) == [
        "Австрія", "Єгипет", "Ісландія", "Італія", "Китай", "Японія"
    ]  # fmt: skip
    latvian = ["Zviedrija", "Čehija", "Šveice", "Austrija", "Īrija", "Igaunija"]
    assert sorted(latvian, key=collation_key) == [
        "Austrija", "Čehija", "Igaunija", "Īrija", "Šveice", "Zviedrija"
    ]  # fmt: skip
