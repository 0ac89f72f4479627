"""`casework translations`: extract the messages, bring the catalogues up to date, and
check that every catalogue is complete.

The catalogues are gettext `.po` files under translations/LANG/LC_MESSAGES/; the
template (translations/messages.pot) is what `pybabel extract` finds in the code, the
templates and the message ids of config/ (babel.cfg). docs/translating.md tells a
translator how to work with them.
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import click
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from casework.locales import LANGUAGES
from casework.settings import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
# Every placeholder a message may carry: %(name)s, %(num)d, %s; a translation must carry
# the same ones (a plural's singular form may leave out the number).
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdrf]|%[sdrf]")


@dataclass(frozen=True)
class Problem:
    language: str
    message: str
    what: str

    def __str__(self) -> str:
        return f"{self.language}: {self.what}: {self.message!r}"


def catalogue_path(language: str, root: Path = TRANSLATIONS) -> Path:
    return root / language / "LC_MESSAGES" / "messages.po"


def extract(project: Path = PROJECT_ROOT) -> Catalog:
    """What `pybabel extract` finds in the tree now, as babel.cfg says."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "messages.pot"
        CommandLineInterface().run(  # type: ignore[no-untyped-call]
            [
                "pybabel",
                "-q",
                "extract",
                "-F",
                str(project / "babel.cfg"),
                "-k",
                "_l",
                "--add-location=file",
                "--sort-by-file",
                "--project=Casework",
                "--copyright-holder=the Casework contributors",
                "-o",
                str(out),
                str(project),
            ]
        )
        with out.open("rb") as f:
            template = read_po(f)
    prefix = f"{project}/"
    for message in template:  # locations relative to the project, as translators see it
        message.locations = [(p.removeprefix(prefix), n) for p, n in message.locations]
    return template


def _key(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))


def _forms(message: Message) -> list[str]:
    if isinstance(message.string, (list, tuple)):
        return [str(s or "") for s in message.string]
    return [str(message.string or "")]


def check_catalogue(language: str, template: Catalog, root: Path = TRANSLATIONS) -> list[Problem]:
    """Every message of the template translated, none fuzzy, the same placeholders."""
    path = catalogue_path(language, root)
    if not path.exists():
        return [Problem(language, str(path), "no catalogue")]
    with path.open("rb") as f:
        catalogue = read_po(f, locale=language)
    # Babel's own checks, as `pybabel compile` makes them (a plural form naming a
    # placeholder its English form lacks, a wrong number of plural forms).
    problems = [
        Problem(language, _key(message), f"check: {error}")
        for message, errors in catalogue.check()
        for error in errors
    ]
    for source in template:
        if not source.id:
            continue
        key = _key(source)
        found = catalogue.get(source.id)
        if found is None:
            problems.append(Problem(language, key, "missing"))
            continue
        if found.fuzzy:
            problems.append(Problem(language, key, "fuzzy"))
        forms = _forms(found)
        plural = not isinstance(source.id, str)
        if plural and len(forms) != catalogue.num_plurals:
            problems.append(Problem(language, key, f"needs {catalogue.num_plurals} plural forms"))
        if not all(f.strip() for f in forms):
            problems.append(Problem(language, key, "not translated"))
            continue
        wanted = _placeholders(source.id[1] if plural else key)
        for form in forms:
            got = _placeholders(form)
            if got != wanted and not (plural and set(got) <= set(wanted)):
                problems.append(Problem(language, key, f"placeholders {got} instead of {wanted}"))
                break
    return problems


def check_all(root: Path = TRANSLATIONS, project: Path = PROJECT_ROOT) -> list[Problem]:
    template = extract(project)
    problems: list[Problem] = []
    for language in LANGUAGES:
        problems.extend(check_catalogue(language, template, root))
    return problems


def update(root: Path = TRANSLATIONS, project: Path = PROJECT_ROOT) -> None:
    """Write the template, and add its new messages (untranslated) to every catalogue."""
    template = extract(project)
    root.mkdir(parents=True, exist_ok=True)
    with (root / "messages.pot").open("wb") as f:
        write_po(f, template, width=100)
    for language in LANGUAGES:
        path = catalogue_path(language, root)
        if path.exists():
            with path.open("rb") as f:
                catalogue = read_po(f, locale=language)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalogue = Catalog(
                locale=language,
                project="Casework",
                copyright_holder="the Casework contributors",
            )
        # A copy: update() adopts the template's message objects, and English fills them in.
        catalogue.update(copy.deepcopy(template), no_fuzzy_matching=True)
        if language == "en":  # the source language: each message is its own translation
            for message in catalogue:
                if message.id and not any(_forms(message)):
                    message.string = message.id
        catalogue.fuzzy = False  # a fuzzy header would keep the catalogue from compiling
        with path.open("wb") as f:
            write_po(f, catalogue, width=100, ignore_obsolete=True)


def compile_catalogues(root: Path = TRANSLATIONS) -> list[Path]:
    """Compile each catalogue whose .mo is missing or older than its .po; the compiled
    files are what the app reads. Returns those written."""
    written: list[Path] = []
    for language in LANGUAGES:
        source = catalogue_path(language, root)
        if not source.exists():
            continue
        target = source.with_suffix(".mo")
        if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
            continue
        with source.open("rb") as f:
            catalogue = read_po(f, locale=language)
        partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        with partial.open("wb") as f:
            write_mo(f, catalogue)
        partial.replace(target)  # whole or not at all, also beside a concurrent compile
        written.append(target)
    return written


@click.group("translations", help="The translation catalogues under translations/.")
def translations_group() -> None:
    pass


@translations_group.command("check", help="Fail if a catalogue lacks or garbles a message.")
def check_command() -> None:
    problems = check_all()
    for problem in problems:
        click.echo(str(problem))
    if problems:
        raise click.ClickException(f"{len(problems)} problems in the catalogues")
    click.echo(f"{len(LANGUAGES)} catalogues complete")


@translations_group.command(
    "compile", help="Compile the catalogues (.po) the app reads (.mo); run at install."
)
def compile_command() -> None:
    written = compile_catalogues()
    click.echo(f"{len(written)} catalogues compiled")


@translations_group.command(
    "update", help="Extract the messages and add new ones to every catalogue, untranslated."
)
def update_command() -> None:
    update()
    click.echo(
        "translations/messages.pot and the catalogues are up to date; translate the new messages"
    )
