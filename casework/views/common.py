from __future__ import annotations

from flask_login import current_user

from casework.casefile import Caller
from casework.security import request_context


def caller() -> Caller:
    """The signed-in user and this request, as the casefile door wants them."""
    return Caller(user=current_user._get_current_object(), context=request_context())
