"""The search page. Searches are POSTed, so that a child's name never appears in a URL,
a browser history or a server access log; the search is then kept on the server, sealed,
with the person's session, and the results page is a GET (post/redirect/get): Back and
reload show the results again without asking to resend a form."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, g, redirect, render_template, url_for
from werkzeug.wrappers import Response

from casework import casefile, db
from casework.auth import sessions
from casework.forms.search import SearchForm
from casework.views.common import door

bp = Blueprint("search", __name__, url_prefix="/search")


@bp.route("/", methods=["GET", "POST"])
def search() -> Response | str:
    """The empty form; a search posted here is kept and shown on the results page."""
    casefile.ensure_may_search(*door())
    form = SearchForm()
    if form.validate_on_submit():
        born = form.date_of_birth.data
        sessions.remember_search(
            db.session(),
            g.user_session,
            {
                "name": form.name.data or "",
                "date_of_birth": born.isoformat() if born else "",
                "document_number": form.document_number.data or "",
            },
        )
        return redirect(url_for("search.results"))
    # A refused search: the form again with its errors, nothing searched.
    return render_template("search/search.html", form=form, result=None)


@bp.get("/results")
def results() -> Response | str:
    """The session's last search, run again (an audited search each time it is shown)."""
    casefile.ensure_may_search(*door())
    kept = sessions.recalled_search(g.user_session)
    if kept is None:
        return redirect(url_for("search.search"))
    born = date.fromisoformat(kept["date_of_birth"]) if kept.get("date_of_birth") else None
    form = SearchForm(
        formdata=None,
        name=kept.get("name", ""),
        date_of_birth=born,
        document_number=kept.get("document_number", ""),
    )
    query = casefile.SearchQuery(kept.get("name", ""), born, kept.get("document_number", ""))
    result = casefile.search_cases(*door(), query)
    return render_template("search/search.html", form=form, result=result)
