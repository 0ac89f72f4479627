"""Blueprints: thin views that parse, call the casefile door, and render."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from casework import audit_labels
    from casework.casefile import Unreadable
    from casework.views import (
        admin,
        admin_erase,
        audit,
        auth,
        case_access,
        cases,
        duplicates,
        errors,
        identification,
        language,
        lifecycle,
        main,
        merging,
        nonpunishment,
        record,
        search,
        statistics,
        support,
        tasks,
        teams,
        today,
    )

    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(identification.bp)
    app.register_blueprint(record.bp)
    app.register_blueprint(lifecycle.bp)
    app.register_blueprint(teams.bp)
    app.register_blueprint(support.bp)
    app.register_blueprint(nonpunishment.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(admin_erase.bp)
    app.add_template_test(lambda value: isinstance(value, Unreadable), "unreadable")
    app.register_blueprint(audit.bp)
    app.register_blueprint(case_access.bp)
    app.register_blueprint(today.bp)
    app.register_blueprint(tasks.bp)
    app.register_blueprint(statistics.bp)
    app.register_blueprint(duplicates.bp)
    app.register_blueprint(merging.bp)
    app.register_blueprint(language.bp)
    language.init_app(app)
    audit_labels.init_app(app)
    errors.register(app)

    def _unread() -> int:
        """The count in the header: asked only by pages that show it, once per request."""
        from flask import g
        from flask_login import current_user

        from casework import casefile
        from casework.views.common import door

        if not current_user.is_authenticated:
            return 0
        if "unread_notifications" not in g:
            try:
                g.unread_notifications = casefile.unread_count(*door())
            except Exception:  # a page, an error page above all, renders without the count
                app.logger.exception("the unread notifications could not be counted")
                g.unread_notifications = 0
        count: int = g.unread_notifications
        return count

    @app.context_processor
    def _globals() -> dict[str, object]:
        from flask_login import current_user

        from casework.access.permissions import Permission
        from casework.access.policy import current_policy
        from casework.forms.auth import LogoutForm

        settings = app.config["CASEWORK"]

        def can(permission: str) -> bool:
            return current_user.is_authenticated and current_policy().allows(
                current_user.role, Permission(permission)
            )

        return {
            "demo_mode": settings.demo,
            "idle_timeout_seconds": settings.idle_timeout_minutes * 60,
            "idle_warning_seconds": settings.idle_warning_seconds,
            "can": can,
            # Never from the posted data: a body too large to read must still get its page.
            "logout_form": LogoutForm(formdata=None) if current_user.is_authenticated else None,
            "unread_notifications": _unread,
        }
