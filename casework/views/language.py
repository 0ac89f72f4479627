"""The reader's language and time zone: chosen on the account, by the switcher, or by
the browser; and the filters that write dates and times for them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

from babel.support import NullTranslations
from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, get_translations, refresh
from flask_babel import gettext as _
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context

from casework import clock, db
from casework.auth.preferences import BadPreference, save_language, save_preferences
from casework.forms.language import LanguageForm, PreferencesForm
from casework.locales import (
    LANGUAGES,
    day_text,
    duration_text,
    is_language,
    is_time_zone,
    moment_text,
    zone_of_country,
)
from casework.security import request_context
from casework.views.common import safe_next

bp = Blueprint("language", __name__)

COOKIE = "casework_language"
COOKIE_SECONDS = 365 * 24 * 3600


def browser_language() -> str:
    best = request.accept_languages.best_match(list(LANGUAGES))
    if best:
        return best
    # "no" and "nn" browsers read Bokmål best of what Casework has
    if request.accept_languages.best_match(["no", "nn"]):
        return "nb"
    return str(current_app.config["CASEWORK"].default_locale)


def select_locale() -> str:
    """The account's choice, else the switcher's cookie, else the browser's (outside a
    request, e.g. a command: the default)."""
    if not has_request_context():
        return str(current_app.config["CASEWORK"].default_locale)
    if "casework_locale" in g:
        chosen: str = g.casework_locale
        return chosen
    chosen = ""
    if current_user and current_user.is_authenticated and is_language(current_user.language):
        chosen = current_user.language
    elif is_language(request.cookies.get(COOKIE)):
        chosen = str(request.cookies[COOKIE])
    else:
        chosen = browser_language()
    g.casework_locale = chosen
    return chosen


def organisation_zone() -> str:
    fallback = str(current_app.config["CASEWORK"].time_zone)
    if current_user and current_user.is_authenticated:
        return zone_of_country(current_user.organisation.country, fallback)
    return fallback


def select_timezone() -> str:
    if not has_request_context():
        return str(current_app.config["CASEWORK"].time_zone)
    if current_user and current_user.is_authenticated and is_time_zone(current_user.time_zone):
        return str(current_user.time_zone)
    return organisation_zone()


def _language() -> str:
    """The language being written: the reader's, or the one a page forces (the child's)."""
    return str(get_locale() or select_locale())


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return day_text(value, _language(), select_timezone())


def _moment(value: datetime | None) -> str:
    if value is None:
        return ""
    return moment_text(value, _language(), select_timezone())


def _wall_moment(value: datetime | None) -> str:
    """A moment kept as the configured zone's wall clock (a missing episode's times), in
    the reader's zone."""
    if value is None:
        return ""
    return _moment(_between(value, clock.local_zone(), UTC))


def wall_clock_from_reader(value: datetime | None) -> datetime | None:
    """What the reader entered in their own zone, as the configured zone's wall clock."""
    if value is None:
        return None
    return _between(value, clock.zone(select_timezone()), clock.local_zone())


def wall_clock_for_reader(value: datetime) -> datetime:
    """The configured zone's wall clock, as the reader enters it in their own zone."""
    return _between(value, clock.local_zone(), clock.zone(select_timezone()))


def _between(value: datetime, source: tzinfo, target: tzinfo) -> datetime:
    return value.replace(tzinfo=source).astimezone(target).replace(tzinfo=None)


def _moment_and_utc(value: datetime | None) -> str:
    """Local time with UTC beside it, for the audit pages."""
    if value is None:
        return ""
    return f"{_moment(value)} ({value:%Y-%m-%d %H:%M} UTC)"


def _duration(value: timedelta | None) -> str:
    """How long, as the reader's language says it ("3 hours", "1 day, 2 hours")."""
    if value is None:
        return ""
    return duration_text(value, _language())


# The page's translations, found once when a template is rendered rather than once per
# string (a page has about a hundred).
PAGE_TRANSLATIONS = "_page_translations"


def _translations(context: Context) -> NullTranslations:
    found = context.get(PAGE_TRANSLATIONS)
    # A macro imported without the page's context asks Flask-Babel, as before.
    return found if isinstance(found, NullTranslations) else get_translations()


@pass_context
def _template_gettext(context: Context, string: str) -> str:
    return _translations(context).ugettext(string)


@pass_context
def _template_ngettext(context: Context, singular: str, plural: str, number: int) -> str:
    return _translations(context).ungettext(singular, plural, number)


def init_app(app: Flask) -> None:
    # Replaces Flask-Babel's callables (which look the translations up on every call);
    # a template rendered under force_locale gets that locale's, as before.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        _template_gettext, _template_ngettext, newstyle=True
    )

    @app.context_processor
    def _page_translations() -> dict[str, object]:
        return {PAGE_TRANSLATIONS: get_translations()}

    app.jinja_env.filters.update(
        day=_day,
        moment=_moment,
        wall_moment=_wall_moment,
        moment_and_utc=_moment_and_utc,
        duration=_duration,
    )

    @app.context_processor
    def _switcher() -> dict[str, object]:
        form = LanguageForm(formdata=None, language=select_locale(), next=request.full_path)
        return {"language_form": form, "languages": LANGUAGES}


@bp.route("/language", methods=["POST"])
def switch() -> ResponseReturnValue:
    form = LanguageForm()
    back = safe_next(form.next.data)
    if not form.validate():
        flash(_("Choose one of the languages offered."), "error")
        return redirect(back)
    language = str(form.language.data)
    if current_user.is_authenticated and g.get("user_session") is not None:
        save_language(db.session(), current_user._get_current_object(), request_context(), language)
    response = redirect(back)
    response.set_cookie(
        COOKIE,
        language,
        max_age=COOKIE_SECONDS,
        secure=request.is_secure,
        httponly=True,
        samesite="Lax",
    )
    return response


@bp.route("/account/preferences", methods=["GET", "POST"])
def preferences() -> ResponseReturnValue:
    user = current_user._get_current_object()
    form = PreferencesForm(
        data=None
        if request.method == "POST"
        else {
            "language": user.language or "",
            "time_zone": user.time_zone or "",
        }
    )
    form.offer(browser_language(), organisation_zone())
    if form.validate_on_submit():
        try:
            save_preferences(
                db.session(),
                user,
                request_context(),
                language=form.language.data or None,
                time_zone=form.time_zone.data or None,
            )
        except BadPreference:  # the select refused it already; a hand-made post
            flash(_("Choose one of the options offered."), "error")
        else:
            g.pop("casework_locale", None)
            refresh()  # the message below is in the language just chosen
            flash(_("Your language and time zone are saved."), "info")
            response = redirect(request.path)
            # The account decides from now on, not an earlier choice of the switcher.
            response.delete_cookie(COOKIE)
            return response
    return render_template("auth/preferences.html", form=form)
