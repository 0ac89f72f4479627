"""Blueprints: thin views that parse, call the casefile door, and render."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from casework import audit_labels
    from casework.views import audit, auth, case_access, cases, main

    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(case_access.bp)
    audit_labels.init_app(app)

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
            "can": can,
            "logout_form": LogoutForm() if current_user.is_authenticated else None,
        }
