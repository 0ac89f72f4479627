"""The door's refusals as pages, once for the whole app.

A case (or a record in it) out of reach is 404, exactly like one that does not exist;
an action the role or read-only access does not allow is 403; a closed case sends the
person back to it with a message; an erased case is 410; a save that lost to someone
else's is 409 with the friendly "someone else changed this"; input the door refused and
the page did not place beside a field is 400. The door has audited the refusals
already, and nothing was changed. Views catch one of these only to do better (show the
other person's version in the form, put a message beside its field).
"""

from __future__ import annotations

from flask import Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from casework.casefile import (
    CaseClosed,
    CaseErased,
    CaseMerged,
    CaseNotFound,
    InvalidInput,
    NotPermitted,
    StaleEdit,
    WrongStatus,
)
from casework.security import ERROR_TITLES


def error_page(code: int, message: object = None) -> tuple[str, int]:
    page = render_template(
        "errors/error.html", code=code, title=ERROR_TITLES[code], message=message
    )
    return page, code


def stale_message() -> str:
    return str(
        _(
            "Someone else changed this record while you were editing it. Nothing was "
            "saved. The form now shows their version; make your change again."
        )
    )


def _back_to_case(message: str) -> Response | tuple[str, int]:
    case_id = (request.view_args or {}).get("case_id")
    if case_id is None:
        return error_page(409, message)
    flash(message, "error")
    return redirect(url_for("cases.show", case_id=case_id))


def register(app: Flask) -> None:
    @app.errorhandler(CaseNotFound)
    def _not_found(error: CaseNotFound) -> tuple[str, int]:
        return error_page(404)

    @app.errorhandler(CaseErased)
    def _erased(error: CaseErased) -> tuple[str, int]:
        return error_page(410, _("This case was erased. Nothing in it can be read or changed."))

    @app.errorhandler(CaseMerged)
    def _merged(error: CaseMerged) -> Response | tuple[str, int]:
        return _back_to_case(
            _("This case was merged into another case. Make changes there; nothing changed here.")
        )

    @app.errorhandler(CaseClosed)
    def _closed(error: CaseClosed) -> Response | tuple[str, int]:
        return _back_to_case(_("This case is closed. Reopen it before changing anything in it."))

    @app.errorhandler(NotPermitted)
    def _not_permitted(error: NotPermitted) -> tuple[str, int]:
        return error_page(403)

    @app.errorhandler(StaleEdit)
    def _stale(error: StaleEdit) -> tuple[str, int]:
        return error_page(
            409,
            _(
                "Someone else changed this while you were working on it. Nothing was "
                "saved. Go back, reload the page and make your change again."
            ),
        )

    @app.errorhandler(WrongStatus)
    def _wrong_status(error: WrongStatus) -> Response | tuple[str, int]:
        return _back_to_case(_("Someone else moved this case on meanwhile; nothing changed."))

    @app.errorhandler(InvalidInput)
    def _invalid(error: InvalidInput) -> tuple[str, int]:
        return error_page(400, error.message)
