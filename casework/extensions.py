"""The few shared extension objects."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Counters live in RATELIMIT_STORAGE_URI: memory for one app server, Redis for several.
limiter = Limiter(get_remote_address, headers_enabled=False)
