"""Casework: case handling for the multi-professional support of child victims."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from casework import codes, db, labels, security
from casework.access.policy import EXTENSION_KEY as POLICY_KEY
from casework.access.policy import load_policy
from casework.audit import checkpoint_log, checkpoints
from casework.casefile.today.rules import load_rules
from casework.extensions import babel, csrf, limiter, login_manager
from casework.keys import startup as keys
from casework.settings import PROJECT_ROOT, Settings, build

log = logging.getLogger(__name__)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application from config/defaults.toml, CASEWORK_* variables and `config`.

    Raises casework.settings.ConfigError or casework.access.PolicyError, each with a
    one-line reason, when the settings, the access policy or the key-encryption key
    (checked against the database) are not fit to start.
    """
    settings = build(config)
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(settings.instance_path),
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        CASEWORK=settings,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        SESSION_COOKIE_NAME="casework_session",
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.session_lifetime_minutes),
        WTF_CSRF_TIME_LIMIT=None if settings.env == "testing" else 3600,
        WTF_CSRF_SSL_STRICT=settings.is_production,
        MAX_CONTENT_LENGTH=1024 * 1024,
        BABEL_DEFAULT_LOCALE=settings.default_locale,
        BABEL_TRANSLATION_DIRECTORIES=str(PROJECT_ROOT / "translations"),
        TEMPLATES_AUTO_RELOAD=settings.env == "development",
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_uri,
        RATELIMIT_KEY_PREFIX=settings.ratelimit_key_prefix,
        # Redis unreachable: count in this process's memory instead of failing sign-in.
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
    )
    # The coded lists first: the policy's roles join teams as actor types of the lists.
    lists = codes.init_app(app).lists
    app.extensions[POLICY_KEY] = load_policy(
        settings.access_policy_file, lists.offered(codes.CodeList.ACTOR_TYPE)
    )
    db.init_app(app, settings.database_url)
    keys.init_app(app, settings)
    checkpoints.init_app(app, settings)
    checkpoint_log.init_app(app, settings)
    csrf.init_app(app)
    from casework.views.language import select_locale, select_timezone

    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    login_manager.init_app(app)
    limiter.init_app(app)
    security.init_app(app)
    labels.init_app(app)
    # The reminder rules are checked now, so a bad file stops the start, not a 3 a.m. run.
    load_rules(settings.reminders_file)

    from casework.views import register_blueprints

    register_blueprints(app)

    from casework.cli import register_commands

    register_commands(app)
    if settings.proxy_hops:
        # Exactly the configured proxies are believed about the client's address, the
        # scheme (so HTTPS is seen and HSTS sent), the host and the port.
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
    _announce(app, settings)
    return app


def _announce(app: Flask, settings: Settings) -> None:
    if settings.demo:
        log.warning("DEMO mode: fictional data, demo logins enabled; never use with real cases")
    app.logger.info("Casework starting in %s mode", settings.env)
