from __future__ import annotations

import base64
import logging
import stat
from pathlib import Path

import pytest

from casework import create_app
from casework.settings import ConfigError, build
from tests.mail import make_certificates

KEK = base64.b64encode(bytes(32)).decode()
SIGNING_KEY = base64.b64encode(bytes(range(32))).decode()


def test_production_refuses_to_start_without_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        build({"ENV": "production", "INSTANCE_PATH": str(tmp_path), "KEK": KEK})
    message = str(err.value)
    assert "CASEWORK_SECRET_KEY" in message
    assert "\n" not in message
    assert not (tmp_path / "secret_key.dev").exists()


def test_production_refuses_to_start_without_kek(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="CASEWORK_KEK"):
        build({"ENV": "production", "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x" * 40})


def test_production_refuses_to_start_without_signing_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="CASEWORK_SIGNING_KEY or CASEWORK_SIGNING_KEY_FILE"):
        build(
            {
                "ENV": "production",
                "INSTANCE_PATH": str(tmp_path),
                "SECRET_KEY": "x" * 40,
                "KEK": KEK,
            }
        )
    assert not (tmp_path / "signing_key.dev").exists()


def test_production_refuses_demo_mode(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="DEMO"):
        build({"ENV": "production", "DEMO": True, "SECRET_KEY": "x" * 40, "KEK": KEK})


def test_production_reads_secrets_from_mounted_files(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("s" * 40 + "\n")
    (tmp_path / "kek").write_text(KEK + "\n")
    (tmp_path / "signing").write_text(SIGNING_KEY + "\n")
    settings = build(
        {
            "ENV": "production",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY_FILE": str(tmp_path / "secret"),
            "KEK_FILE": str(tmp_path / "kek"),
            "SIGNING_KEY_FILE": str(tmp_path / "signing"),
            "AUDIT_CHECKPOINT_FILE": str(tmp_path / "audit-checkpoints.txt"),
        }
    )
    assert settings.secret_key == "s" * 40
    assert settings.kek == bytes(32)
    assert settings.signing_key == bytes(range(32))
    assert SIGNING_KEY not in repr(settings) and "signing_key" not in repr(settings)


def test_development_generates_private_keys_once_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        first = build({"ENV": "development", "INSTANCE_PATH": str(tmp_path)})
    assert "generated a new secret key" in caplog.text
    assert "generated a new signing key" in caplog.text
    for name in ("secret_key.dev", "kek.dev", "signing_key.dev"):
        mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
        assert mode == 0o600, name
    second = build({"ENV": "development", "INSTANCE_PATH": str(tmp_path)})
    assert second.secret_key == first.secret_key
    assert second.kek == first.kek
    assert second.signing_key == first.signing_key
    assert len(first.signing_key) == 32 and first.signing_key != first.kek


def test_environment_variables_override_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEWORK_DEMO", "yes")
    monkeypatch.setenv("CASEWORK_CASE_REFERENCE_PREFIX", "LV")
    settings = build({"INSTANCE_PATH": str(tmp_path)})
    assert settings.demo is True
    assert settings.case_reference_prefix == "LV"


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"ENV": "staging"}, "ENV must be one of"),
        ({"KEK": "c2hvcnQ="}, "32 bytes"),
        ({"KEK": "not base64!"}, "32 bytes"),
        ({"SESSION_LIFETIME_MINUTES": 0}, "SESSION_LIFETIME_MINUTES"),
        ({"NO_SUCH_SETTING": 1}, "unknown setting"),
        ({"SIGNING_KEY": "c2hvcnQ="}, "SIGNING_KEY must be an Ed25519 key"),
        ({"SIGNING_KEY": "x", "SIGNING_KEY_FILE": "/y"}, "not both"),
        ({"AUDIT_CHECKPOINT_EVERY_EVENTS": 0}, "AUDIT_CHECKPOINT_EVERY_EVENTS"),
        ({"AUDIT_CHECKPOINT_EVERY_MINUTES": 10_000}, "AUDIT_CHECKPOINT_EVERY_MINUTES"),
        ({"AUDIT_CHECKPOINT_EVERY_MINUTES": "5"}, "AUDIT_CHECKPOINT_EVERY_MINUTES"),
        ({"CASE_REFERENCE_PREFIX": "Liis Jõgi"}, "CASE_REFERENCE_PREFIX"),
    ],
)
def test_bad_settings_are_refused_by_name(
    tmp_path: Path, overrides: dict[str, object], fragment: str
) -> None:
    with pytest.raises(ConfigError, match=fragment):
        build({"INSTANCE_PATH": str(tmp_path), **overrides})


def test_bad_boolean_in_environment_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEWORK_DEMO", "perhaps")
    with pytest.raises(ConfigError, match="CASEWORK_DEMO must be true or false"):
        build({"INSTANCE_PATH": str(tmp_path)})


def test_create_app_applies_secure_cookie_settings_in_production(tmp_path: Path) -> None:
    app = create_app(
        {
            "ENV": "production",
            "INSTANCE_PATH": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}",
            "SECRET_KEY": "p" * 40,
            "KEK": KEK,
            "SIGNING_KEY": SIGNING_KEY,
            "AUDIT_CHECKPOINT_FILE": str(tmp_path / "audit-checkpoints.txt"),
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["WTF_CSRF_SSL_STRICT"] is True


def test_reoffer_interval_is_configurable_within_bounds(tmp_path: Path) -> None:
    base = {"INSTANCE_PATH": str(tmp_path), "KEK": KEK, "SECRET_KEY": "x" * 40}
    assert build({**base, "REOFFER_DAYS": 14}).reoffer_days == 14
    with pytest.raises(ConfigError, match="REOFFER_DAYS must be between 1 and 365"):
        build({**base, "REOFFER_DAYS": 0})


def _production(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "ENV": "production",
        "INSTANCE_PATH": str(tmp_path),
        "KEK": KEK,
        "SIGNING_KEY": SIGNING_KEY,
        "SECRET_KEY": "k" * 40,
        "AUDIT_CHECKPOINT_FILE": str(tmp_path / "checkpoints.txt"),
        **extra,
    }


@pytest.mark.parametrize("key", ["short", "k" * 31, "ä" * 15])
def test_production_refuses_a_secret_key_shorter_than_32_bytes(tmp_path: Path, key: str) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY must have at least 32 bytes"):
        build(_production(tmp_path, SECRET_KEY=key))


def test_production_takes_a_secret_key_of_32_bytes(tmp_path: Path) -> None:
    assert build(_production(tmp_path, SECRET_KEY="k" * 32)).secret_key == "k" * 32


def test_the_settings_never_print_their_secrets(tmp_path: Path) -> None:
    url = "postgresql+psycopg://casework:pa55-w0rd-here@db.example:5432/casework"
    settings = build(_production(tmp_path, DATABASE_URL=url, SECRET_KEY="S" * 40))
    for shown in (repr(settings), str(settings), f"{settings}", f"{settings!r}"):
        assert "pa55-w0rd-here" not in shown
        assert "S" * 40 not in shown
        assert KEK not in shown and repr(settings.kek) not in shown
        assert repr(settings.signing_key) not in shown
        assert "db.example:5432/casework" in shown  # the rest stays useful
        assert "secret_key" not in shown and "kek=" not in shown


def test_production_reads_secrets_from_systemd_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    (credentials / "secret_key").write_text("c" * 40 + "\n")
    (credentials / "kek").write_text(KEK + "\n")
    (credentials / "signing_key").write_text(SIGNING_KEY + "\n")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(credentials))
    checkpoints = str(tmp_path / "audit-checkpoints.txt")
    settings = build(
        {
            "ENV": "production",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "AUDIT_CHECKPOINT_FILE": checkpoints,
        }
    )
    assert settings.secret_key == "c" * 40
    assert settings.kek == bytes(32)
    assert "systemd credential kek" in settings.kek_source
    # A setting given explicitly wins over the credential.
    explicit = build(
        {
            "ENV": "production",
            "INSTANCE_PATH": str(tmp_path / "i2"),
            "SECRET_KEY": "e" * 40,
            "AUDIT_CHECKPOINT_FILE": checkpoints,
        }
    )
    assert explicit.secret_key == "e" * 40


def test_serving_settings_are_checked(tmp_path: Path) -> None:
    base = {"INSTANCE_PATH": str(tmp_path)}
    assert build(base).log_format == "text"
    assert build({**base, "PROXY_HOPS": 1}).proxy_hops == 1
    for bad in ({"PROXY_HOPS": -1}, {"SERVE_WORKERS": 0}, {"LOG_FORMAT": "xml"}):
        with pytest.raises(ConfigError):
            build({**base, **bad})


def test_mail_settings_keep_the_login_encrypted_and_check_the_authority_file(
    tmp_path: Path,
) -> None:
    base = {"INSTANCE_PATH": str(tmp_path), "MAIL_SERVER": "localhost"}
    plain = {**base, "MAIL_SECURITY": "none", "MAIL_USERNAME": "relay"}
    with pytest.raises(ConfigError, match="would send the password unencrypted"):
        build(plain)
    assert build({**plain, "MAIL_LOGIN_WITHOUT_TLS": True}).mail_login_without_tls is True
    assert build({**base, "MAIL_USERNAME": "relay"}).mail_security == "starttls"
    with pytest.raises(ConfigError, match="MAIL_LOGIN_WITHOUT_TLS must be true or false"):
        build({**plain, "MAIL_LOGIN_WITHOUT_TLS": "yes"})
    assert build(base).mail_ca_file is None
    with pytest.raises(ConfigError, match="MAIL_CA_FILE must be an absolute path"):
        build({**base, "MAIL_CA_FILE": "ca.pem"})
    with pytest.raises(ConfigError, match=r"MAIL_CA_FILE .* holds no readable certificate"):
        build({**base, "MAIL_CA_FILE": str(tmp_path / "missing.pem")})
    (tmp_path / "not.pem").write_text("not a certificate\n")
    with pytest.raises(ConfigError, match=r"MAIL_CA_FILE .* holds no readable certificate"):
        build({**base, "MAIL_CA_FILE": str(tmp_path / "not.pem")})
    authority = make_certificates(tmp_path / "tls").authority
    assert build({**base, "MAIL_CA_FILE": str(authority)}).mail_ca_file == authority


def test_the_settings_never_print_the_mail_password(tmp_path: Path) -> None:
    settings = build(
        _production(
            tmp_path,
            MAIL_SERVER="smtp.example.org",
            MAIL_USERNAME="casework",
            MAIL_PASSWORD="m4il-pa55word",
        )
    )
    assert settings.mail_password == "m4il-pa55word"
    for shown in (repr(settings), str(settings)):
        assert "m4il-pa55word" not in shown and "mail_password" not in shown
        assert "smtp.example.org" in shown
