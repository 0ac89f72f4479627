"""The search page. Searches are POSTed, so that a child's name never appears in a URL,
a browser history or a server access log."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from casework import casefile, db
from casework.forms.search import SearchForm
from casework.views.common import caller

bp = Blueprint("search", __name__, url_prefix="/search")


@bp.route("/", methods=["GET", "POST"])
def search() -> str:
    try:
        casefile.ensure_may_search(db.session(), caller())
    except casefile.NotPermitted:
        abort(403)
    form = SearchForm()
    result = None
    if form.validate_on_submit():
        query = casefile.SearchQuery(form.name.data, form.date_of_birth.data)
        result = casefile.search_cases(db.session(), caller(), query)
    return render_template("search/search.html", form=form, result=result)
