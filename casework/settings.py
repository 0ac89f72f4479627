"""Settings: config/defaults.toml, then CASEWORK_* environment variables, then the
mapping handed to create_app(). Validated once; production refuses to start without
its secrets, development makes its own under instance/ and says so."""

from __future__ import annotations

import base64
import logging
import os
import re
import secrets
import ssl
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULTS_FILE = PROJECT_ROOT / "config" / "defaults.toml"
ENV_PREFIX = "CASEWORK_"
ENVIRONMENTS = ("development", "production", "testing")
KEK_BYTES = 32
SIGNING_KEY_BYTES = 32
# Flask signs session cookies with the secret key; shorter keys are guessable offline.
SECRET_KEY_MIN_BYTES = 32


# Every demo user's password, shown on the login page in demo mode only.
DEMO_PASSWORD = "casework-demo"  # noqa: S105 - fictional demo data, refused in production


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message is one line naming it."""


@dataclass(frozen=True)
class Settings:
    env: str
    demo: bool
    database_url: str
    instance_path: Path
    secret_key: str
    kek: bytes
    case_reference_prefix: str
    session_lifetime_minutes: int
    default_locale: str
    time_zone: str
    access_policy_file: Path
    break_glass_hours: int
    # The Ed25519 seed that signs audit checkpoints; never shown in a repr or a log.
    signing_key: bytes = field(repr=False)
    checkpoint_every_events: int
    checkpoint_every_minutes: int
    idle_timeout_minutes: int = 15
    idle_warning_seconds: int = 120
    reauth_minutes: int = 5
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    login_rate_limit_per_address: str = "20 per minute;200 per hour"
    # Statistics: the smallest count shown (never below 5), and whether erasing a case
    # also deletes its de-identified statistical record (docs/statistics.md).
    statistics_min_cell: int = 10
    statistics_erase_with_case: bool = False
    ratelimit_storage_uri: str = "memory://"
    enrolment_link_hours: int = 72
    public_url: str = "http://127.0.0.1:5000"
    reoffer_days: int = 30
    serve_bind: str = "127.0.0.1:8000"
    serve_workers: int = 2
    serve_timeout: int = 30
    serve_graceful_timeout: int = 30
    proxy_hops: int = 0
    log_format: str = "text"
    database_app_role: str = ""
    ratelimit_key_prefix: str = "casework"
    # Where every checkpoint is appended outside the database; None: nowhere (testing).
    audit_checkpoint_file: Path | None = None
    # Where the KEK came from, named as the operator sets it, for start-up messages.
    kek_source: str = f"{ENV_PREFIX}KEK"
    # During a KEK rotation only: the previous KEK, for unwrapping (docs/encryption.md).
    kek_previous: bytes | None = None
    kek_previous_source: str = f"{ENV_PREFIX}KEK_PREVIOUS"
    # Notifications by e-mail (docs/reminders.md); an empty server sends nothing.
    mail_server: str = ""
    mail_port: int = 587
    mail_username: str = ""
    mail_password: str = field(default="", repr=False)
    mail_from: str = "casework@localhost"
    mail_security: str = "starttls"
    # The certificate authorities the mail server's certificate is checked against
    # (a PEM file); None: the system's.
    mail_ca_file: Path | None = None
    # Only for a relay on this machine: log in although MAIL_SECURITY is none.
    mail_login_without_tls: bool = False
    reminders_file: Path = PROJECT_ROOT / "config" / "reminders.toml"

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def __repr__(self) -> str:
        """Every setting but the secrets; the database URL without its password."""
        shown = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _SECRET_FIELDS:
                continue
            if f.name == "database_url":
                shown.append(f"{f.name}={_without_password(value)!r}")
            else:
                shown.append(f"{f.name}={value!r}")
        return f"Settings({', '.join(shown)})"

    __str__ = __repr__


_SECRET_FIELDS = frozenset({"secret_key", "kek", "kek_previous", "signing_key", "mail_password"})


def _without_password(url: str) -> str:
    """The URL with any password masked, whatever the scheme (no URL is parsed wrongly
    into showing one: an unparsable URL is hidden whole)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "<unparsable>"


def load_raw(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    with DEFAULTS_FILE.open("rb") as fh:
        raw: dict[str, Any] = tomllib.load(fh)
    for key in list(raw):
        env_value = os.environ.get(ENV_PREFIX + key)
        if env_value is not None:
            raw[key] = _coerce(key, env_value, raw[key])
    for key, value in (overrides or {}).items():
        if key not in raw:
            raise ConfigError(f"unknown setting {key}")
        raw[key] = value
    return raw


def _coerce(key: str, value: str, default: Any) -> Any:
    if isinstance(default, bool):
        if value.lower() in ("1", "true", "yes", "on"):
            return True
        if value.lower() in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"{ENV_PREFIX}{key} must be true or false, not {value!r}")
    if isinstance(default, int):
        try:
            return int(value)
        except ValueError:
            raise ConfigError(f"{ENV_PREFIX}{key} must be a whole number") from None
    return value


def build(overrides: Mapping[str, Any] | None = None) -> Settings:
    raw = load_raw(overrides)
    env = str(raw["ENV"])
    if env not in ENVIRONMENTS:
        raise ConfigError(f"ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    production = env == "production"
    if production and raw["DEMO"]:
        raise ConfigError("DEMO must be off in production")
    instance = Path(raw["INSTANCE_PATH"] or PROJECT_ROOT / "instance").resolve()
    database_url = str(raw["DATABASE_URL"]) or f"sqlite:///{instance / 'casework.sqlite3'}"
    if production and database_url.startswith("sqlite"):
        log.warning("production is running on SQLite; PostgreSQL is recommended")
    secret_key = _secret(raw, "SECRET_KEY", instance, production)
    if production and len(secret_key.encode("utf-8")) < SECRET_KEY_MIN_BYTES:
        raise ConfigError(
            f"{ENV_PREFIX}SECRET_KEY must have at least {SECRET_KEY_MIN_BYTES} bytes "
            "in production; refusing to start"
        )
    kek = _decode_kek(_secret(raw, "KEK", instance, production, generate=_new_kek), "KEK")
    previous = _read_secret(raw, "KEK_PREVIOUS")
    minutes = int(raw["SESSION_LIFETIME_MINUTES"])
    if not 1 <= minutes <= 24 * 60:
        raise ConfigError("SESSION_LIFETIME_MINUTES must be between 1 and 1440")
    break_glass_hours = int(raw["BREAK_GLASS_HOURS"])
    if not 1 <= break_glass_hours <= 72:
        raise ConfigError("BREAK_GLASS_HOURS must be between 1 and 72")
    policy = Path(raw["ACCESS_POLICY_FILE"])
    accounts = _account_settings(raw)
    prefix = str(raw["CASE_REFERENCE_PREFIX"])
    if not re.fullmatch(r"[A-Z0-9]{1,12}", prefix):
        # References are the only way the audit log names a case; they stay codes.
        raise ConfigError("CASE_REFERENCE_PREFIX must be 1 to 12 capital letters or digits")
    signing_key = _decode_signing_key(
        _secret(raw, "SIGNING_KEY", instance, production, generate=_new_signing_key)
    )
    return Settings(
        env=env,
        demo=bool(raw["DEMO"]),
        database_url=database_url,
        instance_path=instance,
        secret_key=secret_key,
        kek=kek,
        case_reference_prefix=prefix,
        session_lifetime_minutes=minutes,
        default_locale=str(raw["DEFAULT_LOCALE"]),
        time_zone=_time_zone(raw),
        access_policy_file=policy if policy.is_absolute() else PROJECT_ROOT / policy,
        break_glass_hours=break_glass_hours,
        **accounts,
        kek_source=_source(raw, "KEK", instance),
        kek_previous=_decode_kek(previous, "KEK_PREVIOUS") if previous else None,
        kek_previous_source=_source(raw, "KEK_PREVIOUS", instance),
        signing_key=signing_key,
        checkpoint_every_events=_within(raw, "AUDIT_CHECKPOINT_EVERY_EVENTS", 1, 1_000_000),
        checkpoint_every_minutes=_within(raw, "AUDIT_CHECKPOINT_EVERY_MINUTES", 1, 24 * 60),
        **_mail_settings(raw, production),
        reminders_file=_project_path(str(raw["REMINDERS_FILE"])),
        **_serving(raw, production),
        audit_checkpoint_file=_checkpoint_file(raw, env, instance),
        statistics_min_cell=_within(raw, "STATISTICS_MIN_CELL", 5, 1000),
        statistics_erase_with_case=_flag(raw, "STATISTICS_ERASE_WITH_CASE"),
    )


MAIL_SECURITY = ("starttls", "tls", "none")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def _mail_settings(raw: Mapping[str, Any], production: bool) -> dict[str, Any]:
    security = str(raw["MAIL_SECURITY"]).lower()
    if security not in MAIL_SECURITY:
        raise ConfigError(f"MAIL_SECURITY must be one of {', '.join(MAIL_SECURITY)}")
    server = str(raw["MAIL_SERVER"]).strip()
    if production and server and security == "none" and server not in LOCAL_HOSTS:
        # Credentials and links would cross the network in clear text.
        raise ConfigError("MAIL_SECURITY none is for a relay on this machine only")
    sender = str(raw["MAIL_FROM"]).strip()
    if "@" not in sender or any(c in sender for c in "\r\n"):
        raise ConfigError("MAIL_FROM must be one e-mail address")
    username = str(raw["MAIL_USERNAME"])
    login_without_tls = _flag(raw, "MAIL_LOGIN_WITHOUT_TLS")
    if server and username and security == "none" and not login_without_tls:
        # The user name and password would cross the connection in clear text.
        raise ConfigError(
            "MAIL_USERNAME with MAIL_SECURITY none would send the password unencrypted: "
            "use starttls or tls (MAIL_LOGIN_WITHOUT_TLS is for a relay on this machine)"
        )
    return {
        "mail_server": server,
        "mail_port": _within(raw, "MAIL_PORT", 1, 65535),
        "mail_username": username,
        "mail_password": _read_secret(raw, "MAIL_PASSWORD"),
        "mail_from": sender,
        "mail_security": security,
        "mail_ca_file": _mail_ca_file(raw),
        "mail_login_without_tls": login_without_tls,
    }


def _mail_ca_file(raw: Mapping[str, Any]) -> Path | None:
    """The PEM file of the authorities that sign the mail server's certificate, checked
    now: a typo would otherwise surface only as every e-mail failing."""
    value = str(raw["MAIL_CA_FILE"]).strip()
    if not value:
        return None
    path = Path(value)
    if not path.is_absolute():
        raise ConfigError("MAIL_CA_FILE must be an absolute path")
    try:
        ssl.create_default_context(cafile=str(path))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"MAIL_CA_FILE {path} holds no readable certificate: {exc}") from None
    return path


def _project_path(value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else PROJECT_ROOT / path


def _checkpoint_file(raw: Mapping[str, Any], env: str, instance: Path) -> Path | None:
    value = str(raw["AUDIT_CHECKPOINT_FILE"]).strip()
    if value:
        path = Path(value)
        if not path.is_absolute():
            raise ConfigError("AUDIT_CHECKPOINT_FILE must be an absolute path")
        return path
    if env == "production":
        raise ConfigError(
            f"production needs {ENV_PREFIX}AUDIT_CHECKPOINT_FILE, a file outside the database"
            " for the audit checkpoints; refusing to start"
        )
    return instance / "audit-checkpoints.txt" if env == "development" else None


LOG_FORMATS = ("json", "text")


def _serving(raw: Mapping[str, Any], production: bool) -> dict[str, Any]:
    """How `casework serve` runs, how many proxies are trusted, and how logs look."""
    bind = str(raw["SERVE_BIND"]).strip()
    if not bind:
        raise ConfigError("SERVE_BIND must be host:port or unix:/path")
    log_format = str(raw["LOG_FORMAT"]).strip().lower() or ("json" if production else "text")
    if log_format not in LOG_FORMATS:
        raise ConfigError(f"LOG_FORMAT must be json or text, not {log_format!r}")
    return {
        "serve_bind": bind,
        "serve_workers": _within(raw, "SERVE_WORKERS", 1, 64),
        "serve_timeout": _within(raw, "SERVE_TIMEOUT", 1, 3600),
        "serve_graceful_timeout": _within(raw, "SERVE_GRACEFUL_TIMEOUT", 1, 3600),
        "proxy_hops": _within(raw, "PROXY_HOPS", 0, 5),
        "log_format": log_format,
        "database_app_role": str(raw["DATABASE_APP_ROLE"]).strip(),
        "ratelimit_key_prefix": str(raw["RATELIMIT_KEY_PREFIX"]),
    }


def _flag(raw: Mapping[str, Any], name: str) -> bool:
    value = raw[name]
    if not isinstance(value, bool):
        raise ConfigError(f"{name} must be true or false")
    return value


def _time_zone(raw: Mapping[str, Any]) -> str:
    name = str(raw["TIME_ZONE"])
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"TIME_ZONE {name!r} is not a known time zone (e.g. Europe/Riga)"
        ) from None
    return name


# name -> (lowest, highest) for the whole-number account settings
_ACCOUNT_RANGES = {
    "IDLE_TIMEOUT_MINUTES": (1, 240),
    "IDLE_WARNING_SECONDS": (10, 600),
    "REAUTH_MINUTES": (1, 60),
    "LOGIN_MAX_FAILURES": (1, 100),
    "LOGIN_LOCK_MINUTES": (1, 1440),
    "ENROLMENT_LINK_HOURS": (1, 24 * 14),
    "REOFFER_DAYS": (1, 365),
}


def _account_settings(raw: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, (low, high) in _ACCOUNT_RANGES.items():
        value = int(raw[name])
        if not low <= value <= high:
            raise ConfigError(f"{name} must be between {low} and {high}")
        values[name.lower()] = value
    values["login_rate_limit_per_address"] = str(raw["LOGIN_RATE_LIMIT_PER_ADDRESS"])
    values["ratelimit_storage_uri"] = str(raw["RATELIMIT_STORAGE_URI"])
    values["public_url"] = str(raw["PUBLIC_URL"])
    return values


def _new_secret() -> str:
    return secrets.token_urlsafe(48)


def _new_kek() -> str:
    return base64.b64encode(secrets.token_bytes(KEK_BYTES)).decode("ascii")


def _secret(
    raw: Mapping[str, Any],
    name: str,
    instance: Path,
    production: bool,
    generate: Any = _new_secret,
) -> str:
    """The value of setting `name`, from the value itself or from NAME_FILE.

    Outside production a missing secret is generated once under instance/ (mode 0600).
    """
    value = _read_secret(raw, name)
    if value:
        return value
    if production:
        raise ConfigError(
            f"production needs {ENV_PREFIX}{name} or {ENV_PREFIX}{name}_FILE; refusing to start"
        )
    return _development_secret(instance, name.lower(), generate)


# systemd's LoadCredential= puts each secret in a file of this directory, readable by
# the service alone; a secret set neither way is read from there (name in lower case).
CREDENTIALS_ENV = "CREDENTIALS_DIRECTORY"


def _read_secret(raw: Mapping[str, Any], name: str) -> str:
    """The value of NAME, the contents of the file NAME_FILE names, or of the systemd
    credential name.lower(); "" when none of them."""
    value = str(raw[name] or "")
    path = str(raw[f"{name}_FILE"] or "")
    if value and path:
        raise ConfigError(f"set {ENV_PREFIX}{name} or {ENV_PREFIX}{name}_FILE, not both")
    credentials = os.environ.get(CREDENTIALS_ENV, "")
    if not value and not path and credentials:
        candidate = Path(credentials) / name.lower()
        if candidate.is_file():
            path = str(candidate)
    if path:
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{ENV_PREFIX}{name}_FILE cannot be read: {exc.strerror}") from None
    return value


def _source(raw: Mapping[str, Any], name: str, instance: Path) -> str:
    if raw[f"{name}_FILE"]:
        return f"{ENV_PREFIX}{name}_FILE ({raw[f'{name}_FILE']})"
    if raw[name]:
        return f"{ENV_PREFIX}{name}"
    credentials = os.environ.get(CREDENTIALS_ENV, "")
    if credentials and (Path(credentials) / name.lower()).is_file():
        return f"the systemd credential {name.lower()} ({ENV_PREFIX}{name}_FILE unset)"
    return f"{ENV_PREFIX}{name} (unset: development key {instance / (name.lower() + '.dev')})"


def _development_secret(instance: Path, name: str, generate: Any) -> str:
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = instance / f"{name}.dev"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(generate() + "\n")
    log.warning("development mode: generated a new %s in %s", name.replace("_", " "), path)
    return path.read_text(encoding="ascii").strip()


def _decode_kek(value: str, name: str) -> bytes:
    try:
        key = base64.b64decode(value, validate=True)
    except ValueError:
        raise ConfigError(f"{ENV_PREFIX}{name} must be {KEK_BYTES} bytes in base64") from None
    if len(key) != KEK_BYTES:
        raise ConfigError(f"{ENV_PREFIX}{name} must be {KEK_BYTES} bytes in base64")
    return key


def current_settings() -> Settings:
    """The running application's settings."""
    from flask import current_app

    settings: Settings = current_app.config["CASEWORK"]
    return settings


def _new_signing_key() -> str:
    # Any 32 random bytes are a valid Ed25519 private key (its seed).
    return base64.b64encode(secrets.token_bytes(SIGNING_KEY_BYTES)).decode("ascii")


def _decode_signing_key(value: str) -> bytes:
    try:
        seed = base64.b64decode(value, validate=True)
    except ValueError:
        seed = b""
    if len(seed) != SIGNING_KEY_BYTES:
        raise ConfigError(
            f"{ENV_PREFIX}SIGNING_KEY must be an Ed25519 key: {SIGNING_KEY_BYTES} bytes in base64"
        )
    return seed


def _within(raw: Mapping[str, Any], name: str, low: int, high: int) -> int:
    value = raw[name]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}")
    return value


def line_of(text: str, reason: str) -> int | None:
    """The first line of the file that mentions the last quoted name in `reason`."""
    parts = reason.split("'")
    if len(parts) < 3:
        return None
    needle = parts[-2]
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line and not line.lstrip().startswith("#"):
            return number
    return None
