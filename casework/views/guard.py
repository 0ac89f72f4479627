"""Door refusals as pages: a case (or record in it) out of reach is 404, an action the
role or read-only access does not allow is 403. The door has audited both already."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from wtforms import Form

from casework.casefile import CaseNotFound, InvalidInput, NotPermitted


def _page(code: int) -> tuple[str, int]:
    from casework.security import ERROR_TITLES

    return render_template(
        "errors/error.html", code=code, title=ERROR_TITLES[code], message=None
    ), code


def register(bp: Blueprint) -> None:
    @bp.errorhandler(CaseNotFound)
    def _not_found(error: CaseNotFound) -> tuple[str, int]:
        return _page(404)

    @bp.errorhandler(NotPermitted)
    def _not_permitted(error: NotPermitted) -> tuple[str, int]:
        return _page(403)


def refuse(form: Form, error: InvalidInput) -> None:
    """Put the door's refusal beside its field (or above the form if it has none)."""
    target: Any = getattr(form, error.field, None)
    if target is not None and hasattr(target, "errors"):
        target.errors = [*target.errors, error.message]
    else:
        form.form_errors.append(error.message)
