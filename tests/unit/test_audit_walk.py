"""The verifier's hot loop against chain.py's reference encoding, without a database."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.audit import verify
from casework.audit.chain import FIELDS, GENESIS_HASH, event_hash, format_time
from casework.audit.checkpoints import Checkpoint, Signer
from casework.audit.verify import DamageKind, Row, verify_rows

SIGNER = Signer(bytes(range(32)))
START = datetime(2026, 11, 29, 10, 0, 0, 1)
text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=80)


def _rows(values: list[dict[str, str]]) -> list[Row]:
    """Rows as the driver hands them to the verifier: text as UTF-8 bytes."""
    rows: list[Row] = []
    previous = GENESIS_HASH
    for seq, fields in enumerate(values, start=1):
        event = SimpleNamespace(
            seq=seq, occurred_at=START + timedelta(seconds=seq), prev_hash=previous, **fields
        )
        event.hash = event_hash(event)
        texts = [getattr(event, f).encode() for f in FIELDS[2:]]
        rows.append((seq, format_time(event.occurred_at).encode(), *texts, previous, event.hash))
        previous = event.hash
    return rows


def _signed(rows: list[Row]) -> list[Checkpoint]:
    head = rows[-1]
    return [SIGNER.sign(head[0], head[-1], START)]


def test_the_hot_loop_is_written_for_the_current_encoding() -> None:
    assert verify.FAST_PATH, "chain.FIELDS changed: write _walk_fast out for the new layout"


@given(st.lists(st.fixed_dictionaries(dict.fromkeys(FIELDS[2:], text)), min_size=1, max_size=8))
def test_any_text_verifies_on_both_paths(values: list[dict[str, str]]) -> None:
    rows = _rows(values)
    walked_through = (len(rows) + 1, rows[-1][-1])
    assert verify._walk_fast(rows, 1, GENESIS_HASH, {}) == walked_through
    assert verify._walk_careful(rows, 1, GENESIS_HASH, {}) == walked_through
    report = verify_rows([rows], SIGNER.public_key, _signed(rows))
    assert report.intact and report.count == len(rows), report.damage


@pytest.mark.parametrize("walk", ["fast", "careful"])
def test_both_paths_see_a_changed_byte(monkeypatch: pytest.MonkeyPatch, walk: str) -> None:
    if walk == "careful":
        monkeypatch.setattr(verify, "_walk", verify._walk_careful)
    values = [{f: f"{f}-{n}" for f in FIELDS[2:]} for n in range(6)]
    rows = _rows(values)
    claims = _signed(rows)
    changed = list(rows[3])
    changed[4] = b"X" + changed[4][1:]
    rows[3] = tuple(changed)
    report = verify_rows([rows], SIGNER.public_key, claims)
    assert report.damage is not None
    assert (report.damage.seq, report.damage.kind) == (4, DamageKind.ALTERED)
