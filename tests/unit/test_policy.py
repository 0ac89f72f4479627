from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from casework.access.permissions import FieldGroup, Permission
from casework.access.policy import AccessLevel, PolicyError, load_policy
from casework.settings import PROJECT_ROOT

POLICY = PROJECT_ROOT / "config" / "access_policy.toml"


SHIPPED_ROLES = {
    "social_worker",
    "police",
    "prosecutor",
    "ngo_worker",
    "coordinator",
    "health_professional",
    "guardian",
    "legal_counsel",
    "interpreter",
    "auditor",
    "admin",
    "analyst",
}


def test_default_policy_loads_with_every_shipped_role() -> None:
    policy = load_policy(POLICY)
    assert set(policy.roles) == SHIPPED_ROLES


def test_no_code_names_a_role() -> None:
    """Roles are data: the code refers to permissions, never to a role by name."""
    offenders = []
    # Names that are roles only (others double as actor types or demo user names), and
    # comparisons of a role with a literal.
    names = "social_worker|ngo_worker|health_professional"
    pattern = re.compile(rf"""["']({names})["']|role\s*[!=]=\s*["']|class Role\b""")
    for path in (PROJECT_ROOT / "casework").rglob("*.py"):
        if "demo" in path.parts:
            continue  # the demo seeds people of given roles
        offenders += [f"{path.name}: {m}" for m in pattern.findall(path.read_text())]
    assert offenders == []


def test_interpreter_sees_the_first_name_and_languages_only() -> None:
    policy = load_policy(POLICY)
    interpreter = policy.role("interpreter")
    assert policy.readable_groups("interpreter") == [FieldGroup.IDENTITY]
    assert policy.level("interpreter", FieldGroup.IDENTITY) == AccessLevel.MINIMAL
    assert interpreter.minimal_identity == {"given_name", "languages"}
    assert not interpreter.sees_team
    assert not interpreter.sees_history
    assert not interpreter.sees_flags
    assert interpreter.permissions == {Permission.CASE_READ}


def test_new_roles_join_teams_as_their_actor_type() -> None:
    policy = load_policy(POLICY)
    assert {r: policy.role(r).actor_type for r in ("health_professional", "guardian")} == {
        "health_professional": "health",
        "guardian": "guardian",
    }
    assert policy.role("legal_counsel").actor_type == "legal_counsel"
    assert policy.role("interpreter").actor_type == "interpreter"


def test_policy_file_and_code_name_the_same_permissions() -> None:
    declared = set(tomllib.loads(POLICY.read_text())["permissions"])
    assert declared == {p.value for p in Permission}
    used_in_code = set()
    for path in (PROJECT_ROOT / "casework").rglob("*.py"):
        used_in_code |= set(re.findall(r"Permission\.([A-Z][A-Z_]+)\b", path.read_text()))
    assert {Permission[name].value for name in used_in_code} <= declared


def test_auditor_and_admin_see_no_case_content() -> None:
    policy = load_policy(POLICY)
    for role in ("auditor", "admin", "analyst"):
        assert all(policy.level(role, g) == AccessLevel.NONE for g in FieldGroup)
        assert not policy.allows(role, Permission.CASE_READ)


def test_only_social_workers_and_police_open_cases() -> None:
    policy = load_policy(POLICY)
    openers = {r for r in policy.roles if policy.allows(r, Permission.CASE_CREATE)}
    assert openers == {"social_worker", "police"}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("[roles.police]", "[roles.Polis]", "role name 'Polis' must be"),
        ('actor_type = "police"', 'actor_type = "polis"', "unknown actor type 'polis'"),
        (
            'minimal_identity = ["given_name", "languages"]',
            'minimal_identity = ["given_name", "address"]',
            "role 'interpreter': minimal_identity names only given_name, age, languages",
        ),
        ("sees_team = false", "sees_team = 'no'", "give true or false for 'sees_team'"),
        (
            'permissions = ["users:manage"',
            'permissions = ["case:delete"',
            "unknown permission 'case:delete'",
        ),
        ('identity = "write"', 'identiti = "write"', "unknown field group 'identiti'"),
        ('identity = "write"', 'identity = "everything"', "unknown access level 'everything'"),
    ],
)
def test_unknown_names_are_refused_by_name(
    tmp_path: Path, old: str, new: str, fragment: str
) -> None:
    text = POLICY.read_text().replace(old, new, 1)
    assert text != POLICY.read_text()
    path = _write(tmp_path, text)
    with pytest.raises(PolicyError, match=re.escape(fragment)) as err:
        load_policy(path)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if new in t)
    assert f"{path}, line {line}:" in str(err.value)


def test_app_refuses_to_start_on_a_bad_policy(tmp_path: Path) -> None:
    from casework import create_app

    path = _write(tmp_path, POLICY.read_text().replace("[roles.police]", "[roles.Polis]", 1))
    with pytest.raises(PolicyError, match="role name 'Polis'"):
        create_app(
            {"ENV": "testing", "INSTANCE_PATH": str(tmp_path), "ACCESS_POLICY_FILE": str(path)}
        )


def test_malformed_policy_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, POLICY.read_text() + "\n[roles.police\n")
    with pytest.raises(PolicyError) as err:
        load_policy(path)
    assert str(path) in str(err.value)
    assert "line" in str(err.value)


def test_a_policy_without_an_administrator_is_refused(tmp_path: Path) -> None:
    text = POLICY.read_text().split("[roles.admin]")[0]
    with pytest.raises(PolicyError, match="no role has 'users:manage'"):
        load_policy(_write(tmp_path, text))


def test_a_role_added_to_the_file_alone_is_a_role(tmp_path: Path) -> None:
    text = POLICY.read_text() + (
        '\n[roles.barnahus_worker]\nlabel = "Barnahus worker"\nactor_type = "barnahus"\n'
        'permissions = ["case:read"]\n[roles.barnahus_worker.field_groups]\n'
        'identity = "read"\n'
    )
    policy = load_policy(_write(tmp_path, text))
    assert policy.label("barnahus_worker") == "Barnahus worker"
    assert policy.allows("barnahus_worker", Permission.CASE_READ)
    assert policy.level("barnahus_worker", FieldGroup.IDENTITY) == AccessLevel.READ
    assert policy.role("barnahus_worker").actor_type == "barnahus"


def test_a_role_joins_teams_as_an_actor_type_the_codes_file_offers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casework import codes

    text = POLICY.read_text() + (
        '\n[roles.youth_worker]\nlabel = "Youth worker"\nactor_type = "youth_work"\n'
        'permissions = ["case:read"]\n'
    )
    path = _write(tmp_path, text)
    with pytest.raises(PolicyError, match="role 'youth_worker': unknown actor type 'youth_work'"):
        load_policy(path)
    # Added to config/codes.toml, the actor type is one a role may name; retired, not.
    shipped = (PROJECT_ROOT / "config" / "codes.toml").read_text(encoding="utf-8")
    extended = shipped.replace(
        "[lists.actor_type]\n", '[lists.actor_type]\nyouth_work = "Youth work"\n', 1
    )
    codes_file = tmp_path / "codes.toml"
    codes_file.write_text(extended, encoding="utf-8")
    monkeypatch.setattr(codes, "CODES_FILE", codes_file)
    assert load_policy(path).role("youth_worker").actor_type == "youth_work"
    codes_file.write_text(extended + 'actor_type = ["youth_work"]\n', encoding="utf-8")
    with pytest.raises(PolicyError, match="unknown actor type 'youth_work'"):
        load_policy(path)


def test_flag_rules_are_data_in_the_policy() -> None:
    policy = load_policy(POLICY)
    rule = policy.flag_rules["non_punishment"]
    assert rule.resolved_by == {"police", "prosecutor"}
    assert rule.requires == "non_punishment_consideration"
    assert policy.may_resolve("police", "non_punishment")
    assert not policy.may_resolve("ngo_worker", "non_punishment")
    assert not policy.may_resolve("social_worker", "non_punishment")
    # A kind without a rule: every role with flag:write, nobody else.
    assert policy.may_resolve("ngo_worker", "safety_risk")
    assert not policy.may_resolve("coordinator", "safety_risk")


@pytest.mark.parametrize(
    ("new", "fragment"),
    [
        ('resolved_by = ["police", "polis"]', "unknown role 'polis'"),
        ('resolved_by = ["police", "coordinator"]', "role 'coordinator' lacks flag:write"),
        ('resolved_by = "police"', "needs resolved_by, a list of roles"),
    ],
)
def test_a_bad_flag_rule_is_refused_by_name(tmp_path: Path, new: str, fragment: str) -> None:
    text = POLICY.read_text().replace('resolved_by = ["police", "prosecutor"]', new, 1)
    assert text != POLICY.read_text()
    with pytest.raises(PolicyError, match=re.escape(fragment)):
        load_policy(_write(tmp_path, text))


def test_an_unknown_flag_requirement_is_refused(tmp_path: Path) -> None:
    text = POLICY.read_text().replace(
        'requires = "non_punishment_consideration"', 'requires = "a_court_order"', 1
    )
    with pytest.raises(PolicyError, match="unknown requirement 'a_court_order'"):
        load_policy(_write(tmp_path, text))
