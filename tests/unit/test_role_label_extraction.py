"""Role labels are data in the access policy and message ids: the Babel extractor finds
every one of them, so a role added to the file alone reaches the translators."""

from __future__ import annotations

import io

from casework.access.policy import load_policy
from casework.codes.extract import extract_role_labels
from casework.settings import PROJECT_ROOT

POLICY = PROJECT_ROOT / "config" / "access_policy.toml"


def test_every_role_label_of_the_policy_is_extracted() -> None:
    with POLICY.open("rb") as fileobj:
        found = list(extract_role_labels(fileobj, {}, (), {}))
    labels = {message for _, _, message, _ in found}
    policy = load_policy(POLICY)
    assert labels == {policy.label(name) for name in policy.names()}
    assert "Analyst" in labels and "Interpreter" in labels
    lines = POLICY.read_text().splitlines()
    for number, _, message, comments in found:
        assert f'"{message}"' in lines[number - 1]
        assert comments[0].startswith("access policy, role ")


def test_a_label_outside_a_role_table_is_not_a_role_label() -> None:
    text = b'[permissions]\nlabel = "Not a role"\n[roles.new_one]\nlabel = "New one"\n'
    found = list(extract_role_labels(io.BytesIO(text), {}, (), {}))
    assert [(n, m) for n, _, m, _ in found] == [(4, "New one")]
