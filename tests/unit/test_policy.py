from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from casework.access.permissions import FieldGroup, Permission, Role
from casework.access.policy import AccessLevel, PolicyError, load_policy
from casework.settings import PROJECT_ROOT

POLICY = PROJECT_ROOT / "config" / "access_policy.toml"


def test_default_policy_loads_with_every_role() -> None:
    policy = load_policy(POLICY)
    assert set(policy.roles) == {r.value for r in Role}


def test_policy_file_and_code_name_the_same_permissions() -> None:
    declared = set(tomllib.loads(POLICY.read_text())["permissions"])
    assert declared == {p.value for p in Permission}
    used_in_code = set()
    for path in (PROJECT_ROOT / "casework").rglob("*.py"):
        used_in_code |= set(re.findall(r"Permission\.([A-Z][A-Z_]+)\b", path.read_text()))
    assert {Permission[name].value for name in used_in_code} <= declared


def test_auditor_and_admin_see_no_case_content() -> None:
    policy = load_policy(POLICY)
    for role in ("auditor", "admin"):
        assert all(policy.level(role, g) == AccessLevel.NONE for g in FieldGroup)
        assert not policy.allows(role, Permission.CASE_READ)


def test_only_social_workers_and_police_open_cases() -> None:
    policy = load_policy(POLICY)
    openers = {r.value for r in Role if policy.allows(r.value, Permission.CASE_CREATE)}
    assert openers == {"social_worker", "police"}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("[roles.police]", "[roles.polis]", "unknown role 'polis'"),
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

    path = _write(tmp_path, POLICY.read_text().replace("[roles.police]", "[roles.polis]", 1))
    with pytest.raises(PolicyError, match="unknown role 'polis'"):
        create_app(
            {"ENV": "testing", "INSTANCE_PATH": str(tmp_path), "ACCESS_POLICY_FILE": str(path)}
        )


def test_malformed_policy_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, POLICY.read_text() + "\n[roles.police\n")
    with pytest.raises(PolicyError) as err:
        load_policy(path)
    assert str(path) in str(err.value)
    assert "line" in str(err.value)


def test_missing_role_is_refused(tmp_path: Path) -> None:
    text = POLICY.read_text().split("[roles.admin]")[0]
    with pytest.raises(PolicyError, match="role 'admin' is missing"):
        load_policy(_write(tmp_path, text))


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
