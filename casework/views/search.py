"""The search page. Searches are POSTed, so that a child's name never appears in a URL,
a browser history or a server access log."""

from __future__ import annotations

from flask import Blueprint, render_template

from casework import casefile
from casework.forms.search import SearchForm
from casework.views.common import door

bp = Blueprint("search", __name__, url_prefix="/search")


@bp.route("/", methods=["GET", "POST"])
def search() -> str:
    casefile.ensure_may_search(*door())
    form = SearchForm()
    result = None
    if form.validate_on_submit():
        query = casefile.SearchQuery(
            form.name.data or "", form.date_of_birth.data, form.document_number.data or ""
        )
        result = casefile.search_cases(*door(), query)
    return render_template("search/search.html", form=form, result=result)
