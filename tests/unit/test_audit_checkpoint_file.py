from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from casework.audit.checkpoint_file import CheckpointFileError, load, parse, render
from casework.audit.checkpoints import Signer

SIGNER = Signer(bytes(range(32)))
OTHER = Signer(bytes(range(1, 33)))
WHEN = datetime(2026, 11, 29, 10, 0, 0, 250000)
CHECKPOINTS = [SIGNER.sign(seq, bytes([seq % 251]) * 32, WHEN) for seq in (1, 1000, 2000)]


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "checkpoints.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_round_trip(tmp_path: Path) -> None:
    text = render(SIGNER.public_key, CHECKPOINTS, WHEN)
    assert text.startswith("# Casework audit checkpoints")
    assert "casework-audit-checkpoints v1\npublic-key ed25519 " in text
    assert len(text.encode()) < 1000
    assert load(_file(tmp_path, text), SIGNER.public_key) == CHECKPOINTS
    parsed = parse(text)
    assert parsed.public_key == SIGNER.public_key and parsed.exported_at == WHEN


def test_an_empty_log_exports_a_valid_file(tmp_path: Path) -> None:
    text = render(SIGNER.public_key, [], WHEN)
    assert load(_file(tmp_path, text), SIGNER.public_key) == []


def _edit(old: str, new: str) -> str:
    text = render(SIGNER.public_key, CHECKPOINTS, WHEN)
    assert old in text
    return text.replace(old, new, 1)


HASH_1000 = (bytes([1000 % 251]) * 32).hex()
SIGNATURE = render(SIGNER.public_key, CHECKPOINTS, WHEN).split()[-1]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not a Casework checkpoint file"),
        ("hello\n", "line 1: not a Casework checkpoint file"),
        (_edit("checkpoints v1", "checkpoints v2"), "not a Casework checkpoint file"),
        (_edit("public-key ed25519", "public-key rsa"), "only ed25519 keys"),
        (_edit("public-key ed25519 ", "public-key ed25519 !"), "not valid base64"),
        (_edit("key-id ", "key-id 00"), "key id does not belong"),
        (_edit("exported-at 2026-11-29T10", "exported-at 2026-13-29T10"), "is not a time"),
        (_edit("checkpoint 1000 ", "checkpoint 1e3 "), "is not an event number"),
        (_edit("checkpoint 1000 ", "checkpoint 1 "), "increasing order"),
        (_edit(HASH_1000, HASH_1000[:-2]), "64 lowercase hex digits"),
        (_edit(HASH_1000, HASH_1000.upper()), "64 lowercase hex digits"),
        (_edit(SIGNATURE, SIGNATURE[:-4] + "*@#!"), "signature is not valid base64"),
        (_edit(SIGNATURE, "AAAA"), "a signature is 64 bytes"),
        (_edit("checkpoint 2000 ", "checkpoint 2000 extra "), "expected 'checkpoint"),
        (_edit("exported-at", "exported_at"), "expected the 'exported-at' line"),
    ],
)
def test_a_malformed_file_says_so_by_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CheckpointFileError, match=message):
        load(_file(tmp_path, text), SIGNER.public_key)


def test_binary_or_missing_files_are_refused_plainly(tmp_path: Path) -> None:
    binary = tmp_path / "binary"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(CheckpointFileError, match="not a text file"):
        load(binary, SIGNER.public_key)
    with pytest.raises(CheckpointFileError, match="cannot be read"):
        load(tmp_path / "absent", SIGNER.public_key)


def test_a_file_signed_by_another_key_says_so(tmp_path: Path) -> None:
    theirs = render(OTHER.public_key, [OTHER.sign(5, bytes(32), WHEN)], WHEN)
    with pytest.raises(CheckpointFileError, match="signed by another key") as err:
        load(_file(tmp_path, theirs), SIGNER.public_key)
    assert OTHER.public_key.key_id[:16] in str(err.value)
    assert SIGNER.public_key.key_id[:16] in str(err.value)


def test_a_line_changed_after_export_is_named(tmp_path: Path) -> None:
    forged = _edit(HASH_1000, "ff" * 32)
    with pytest.raises(CheckpointFileError, match=r"line \d+: the signature .* event 1000"):
        load(_file(tmp_path, forged), SIGNER.public_key)
