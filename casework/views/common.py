from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import current_app, g, redirect, request, url_for
from flask_login import current_user

from casework import db
from casework.auth import sessions
from casework.casefile import Caller, InvalidInput
from casework.security import request_context

F = TypeVar("F", bound=Callable[..., Any])


def caller() -> Caller:
    """The signed-in user and this request, as the casefile door wants them."""
    return Caller(user=current_user._get_current_object(), context=request_context())


def door() -> tuple[Any, Caller]:
    """The request's database session and caller, which every door function takes
    first: views pass them on as `*door()` and never use the session themselves."""
    return db.session(), caller()


def refuse(form: Any, error: InvalidInput) -> None:
    """Put the door's refusal beside its field (or above the form if it has none)."""
    target: Any = getattr(form, error.field, None) if error.field else None
    if target is not None and hasattr(target, "errors"):
        target.errors = [*target.errors, error.message]
    else:
        form.form_errors.append(error.message)


# Longer than any page of Casework's own: sent home, never echoed into a header.
NEXT_MAX = 2000


def _has_control(text: str) -> bool:
    return any(ord(ch) < 0x20 or ord(ch) == 0x7F or ch == "\\" for ch in text)


def safe_next(target: str | None, home: str = "main.index") -> str:
    """A local path to return to; anything else (another host, a scheme, a control
    character or backslash that a browser or a header might read otherwise) goes to
    `home` (an endpoint)."""
    if not target or len(target) > NEXT_MAX or _has_control(target):
        return url_for(home)
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for(home)
    return target


def fresh_auth_required(view: F) -> F:
    """Sensitive actions need password and second factor proved within REAUTH_MINUTES."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        row = g.get("user_session")
        settings = current_app.config["CASEWORK"]
        if row is None or not sessions.is_fresh(row, settings):
            return redirect(url_for("auth.reauth", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
