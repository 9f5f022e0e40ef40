"""Django settings, all taken from the environment (see README.md → 配置).

Bad values fail at start-up with the variable's name; nothing falls back silently.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from jishiban.cli import SECRET_KEY_HINT
from jishiban.env import (
    env_bool,
    env_database,
    env_date,
    env_int,
    env_str,
    env_timezone,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("JISHIBAN_VAR_DIR", str(BASE_DIR / "var")))

DEMO = env_bool("JISHIBAN_DEMO", False)
DEBUG = env_bool("DEBUG", False)
DEMO_PASSWORD = env_str("JISHIBAN_DEMO_PASSWORD", "jishiban-demo")


def _secret_key() -> str:
    """The key from the environment, or the demo's own. Outside the demo an unset key stays
    empty: commands that sign nothing (calendar, migrate, setup, import) run without one, and
    Django refuses every use of an empty key (``ImproperlyConfigured`` on access). What serves
    or runs jobs checks it at start (``jishiban.cli.require_secret_key``)."""
    key = env_str("SECRET_KEY")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured(f"SECRET_KEY is {len(key)} characters long, at least 32 are needed: "
                                       f"{SECRET_KEY_HINT}")
        return key
    if not DEMO:
        return ""
    # The demo keeps a generated key beside its database so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in (env_str("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver") or "").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in (env_str("CSRF_TRUSTED_ORIGINS", "") or "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_q",
    "ninja",  # serves the API docs page's assets locally
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Reference data
    "jishiban.core",
    "jishiban.accounts",
    "jishiban.audit",
    "jishiban.regions",
    "jishiban.organisations",
    "jishiban.channels",
    "jishiban.taxonomy",
    "jishiban.sla",
    # Work orders
    "jishiban.appeals",
    "jishiban.intake",
    "jishiban.routing",
    "jishiban.smart",
    "jishiban.supervision",
    "jishiban.analytics",
    "jishiban.warnings",
    "jishiban.cockpit",
    # Interfaces
    "jishiban.api",
    "jishiban.open311",
    "jishiban.web",
    "jishiban.portal",
    "jishiban.demo",
    # The seat: knowledge base, incoming calls
    "jishiban.knowledge",
    "jishiban.calls",
    # Grid management (网格化服务管理)
    "jishiban.grid",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jishiban.core.middleware.ConfiguredLanguageFirst",
    "django.middleware.locale.LocaleMiddleware",
    "jishiban.core.middleware.RefuseNul",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jishiban.accounts.sessions.IdleTimeout",
    "jishiban.audit.middleware.CurrentActor",
    "jishiban.portal.middleware.CitizensStayInPortal",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jishiban.urls"
WSGI_APPLICATION = "jishiban.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "jishiban.sla.context_processors.calendar_warning",
                "jishiban.accounts.context_processors.capabilities",
            ],
            # One way to show times on every page (``core.dates.when``), without a load tag.
            "builtins": ["jishiban.core.templatetags.when"],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'jishiban.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Staff (every role but citizens) need longer passwords of several kinds of characters.
    {"NAME": "jishiban.accounts.passwords.StaffPasswordPolicy",
     "OPTIONS": {"min_length": env_int("JISHIBAN_STAFF_PASSWORD_LENGTH", 12, minimum=8)}},
]
# Argon2 for new and changed passwords; older hashes still verify and are upgraded at login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# django-axes first: it refuses a locked-out username or address before the password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
if LANGUAGE_CODE not in {code for code, _name in LANGUAGES}:
    raise ImproperlyConfigured(f"LANGUAGE_CODE={LANGUAGE_CODE!r} is not one of zh-hans, en")
LOCALE_PATHS = [BASE_DIR / "jishiban" / "locale"]
TIME_ZONE = env_timezone("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end packages come from npm at set-up (package.json); never from a CDN. The few files the
# pages use are offered as static/vendor/… (jishiban.core.staticfiles). gunicorn and `jishiban
# serve` collect them (hashed names, gzip) into STATIC_ROOT and WhiteNoise serves them.
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "jishiban.core.staticfiles.VendorFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "jishiban.core.staticfiles.StaticStorage"},
}
# Before the first collectstatic, files are served from the finders (uncompressed) rather than not at all.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {"jishiban": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")}},
}

# Background jobs: django-q2 on the database broker; set Q_REDIS_URL to scale out.
Q_CLUSTER = {
    "name": "jishiban",
    "workers": env_int("Q_WORKERS", 2, minimum=1),
    "timeout": 600,
    "retry": 900,
    "max_attempts": 3,
    # Workers keep in-memory indexes (duplicates); recycling rebuilds them, so not too often.
    "recycle": env_int("Q_RECYCLE", 5000, minimum=1),
    "catch_up": False,
    "log_level": env_str("Q_LOG_LEVEL", "WARNING"),
    "orm": "default",
    "sync": env_bool("Q_SYNC", False),
}
if env_str("Q_REDIS_URL"):
    Q_CLUSTER.pop("orm")
    Q_CLUSTER["redis"] = env_str("Q_REDIS_URL")

# Workflow defaults (per category / channel overrides live in the database).
JISHIBAN = {
    "CITY_CODE": env_str("JISHIBAN_CITY_CODE", "3708"),
    "NUMBER_PREFIX": env_str("JISHIBAN_NUMBER_PREFIX", "JN"),
    "SIGN_DEADLINE": env_str("JISHIBAN_SIGN_DEADLINE", "2h"),
    "REPLY_DEADLINE": env_str("JISHIBAN_REPLY_DEADLINE", "5d"),
    "YELLOW_BEFORE": env_str("JISHIBAN_YELLOW_BEFORE", "1d"),
    "RETURN_WINDOW": env_str("JISHIBAN_RETURN_WINDOW", "1d"),
    "MAX_EXTENSION_DAYS": env_int("JISHIBAN_MAX_EXTENSION_DAYS", 10, minimum=1),
    "WORK_HOURS": env_str("JISHIBAN_WORK_HOURS", "08:30-12:00,13:30-17:30"),
    "MAX_CONTENT_LENGTH": env_int("JISHIBAN_MAX_CONTENT_LENGTH", 5000, minimum=100),  # 字; a call is rarely 1000
    # Received times: none before this day (a typo such as 0001-01-01 is refused), none later than
    # now plus this many seconds of clock skew between a channel's system and ours.
    "EARLIEST_RECEIVED": env_date("JISHIBAN_EARLIEST_RECEIVED", "2000-01-01"),
    "CLOCK_SKEW_SECONDS": env_int("JISHIBAN_CLOCK_SKEW_SECONDS", 300, minimum=0),
    # Absolute links in SMS and e-mail (callback links), e.g. https://12345.jining.gov.cn
    "BASE_URL": (env_str("JISHIBAN_BASE_URL", "") or "").rstrip("/"),
}

# Open311 GeoReport v2 (jishiban/open311/conf.py has the other keys and their defaults).
OPEN311 = {
    "JURISDICTIONS": [j.strip() for j in (env_str("OPEN311_JURISDICTIONS", "jining") or "").split(",") if j.strip()],
}
if env_str("OPEN311_CONTACT"):
    OPEN311["CONTACT"] = env_str("OPEN311_CONTACT")

# A REST token or Open311 key checked a moment ago is trusted for this long per process
# (revoking elsewhere takes effect within it; 0 checks the database on every request).
JISHIBAN_API_TOKEN_CACHE_SECONDS = env_int("JISHIBAN_API_TOKEN_CACHE_SECONDS", 5, minimum=0)
# REST tokens expire: after this many days unless created with another lifetime, never after the maximum.
JISHIBAN_API_TOKEN_DAYS = env_int("JISHIBAN_API_TOKEN_DAYS", 90, minimum=1)
JISHIBAN_API_TOKEN_MAX_DAYS = env_int("JISHIBAN_API_TOKEN_MAX_DAYS", 365, minimum=1)
if JISHIBAN_API_TOKEN_DAYS > JISHIBAN_API_TOKEN_MAX_DAYS:
    raise ImproperlyConfigured(f"JISHIBAN_API_TOKEN_DAYS={JISHIBAN_API_TOKEN_DAYS} is above "
                               f"JISHIBAN_API_TOKEN_MAX_DAYS={JISHIBAN_API_TOKEN_MAX_DAYS}")

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# A session ends after this long without a request (accounts.sessions.IdleTimeout slides it).
SESSION_COOKIE_AGE = env_int("JISHIBAN_SESSION_IDLE_MINUTES", 30, minimum=1) * 60

# Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto (README → 配置): every
# request is redirected to https, cookies are sent over https only, browsers are told to keep to
# https (HSTS). Off by default so the demo and development servers work on plain http.
BEHIND_TLS = env_bool("JISHIBAN_BEHIND_TLS", False)
if BEHIND_TLS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("JISHIBAN_HSTS_SECONDS", 365 * 24 * 3600, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# How many proxies in front append to X-Forwarded-For: the client's address is that many entries
# from the right (0: the connection's own address). Used by the login lockout and the audit log.
JISHIBAN_PROXY_HOPS = env_int("JISHIBAN_PROXY_HOPS", 1 if BEHIND_TLS else 0, minimum=0)

# Content-Security-Policy: scripts, styles and everything else only from our own origin; no
# inline script, style attribute or eval anywhere (templates load web/*.js and *.css).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Password guessing (django-axes): after this many failures for one username, or from one
# address, further logins from it are refused for the lockout time; every failure counts again.
AXES_FAILURE_LIMIT = env_int("JISHIBAN_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("JISHIBAN_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "jishiban.core.clients.client_ip"
AXES_LOCKOUT_CALLABLE = "jishiban.accounts.login.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
# Logins and failures are written to the audit log (jishiban.audit), not to axes' own logs.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # jishiban.audit registers its own, in Chinese, with an unlock action

# Two-step verification (django-otp TOTP): the name authenticator apps show for the account.
OTP_TOTP_ISSUER = "济时办"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# The audit log keeps its rows this many days (a daily job removes older ones).
# 重复诉求 (repeat complaint), the one rule (appeals/repeats.py): at least THRESHOLD earlier appeals
# of the same caller (or at the same address) in the same category subtree (the ancestor at
# CATEGORY_LEVEL) within WINDOW_DAYS.
JISHIBAN_REPEAT_WINDOW_DAYS = env_int("JISHIBAN_REPEAT_WINDOW_DAYS", 90, minimum=1)
JISHIBAN_REPEAT_THRESHOLD = env_int("JISHIBAN_REPEAT_THRESHOLD", 2, minimum=1)
JISHIBAN_REPEAT_CATEGORY_LEVEL = env_int("JISHIBAN_REPEAT_CATEGORY_LEVEL", 2, minimum=1)
JISHIBAN_REPEAT_BY_ADDRESS = env_bool("JISHIBAN_REPEAT_BY_ADDRESS", True)
if JISHIBAN_REPEAT_CATEGORY_LEVEL > 3:
    raise ImproperlyConfigured(f"JISHIBAN_REPEAT_CATEGORY_LEVEL={JISHIBAN_REPEAT_CATEGORY_LEVEL}: use 1, 2 or 3")

JISHIBAN_AUDIT_RETENTION_DAYS = env_int("JISHIBAN_AUDIT_RETENTION_DAYS", 365, minimum=1)

# The cockpit's map is drawn from the county boundaries the project ships; a deployment with its
# own tile server inside the network may put raster tiles under it ("https://tiles.example/{z}/{x}/{y}.png";
# its origin is added to the Content-Security-Policy's img-src). Empty: no tiles, nothing fetched.
JISHIBAN_MAP_TILE_URL = env_str("JISHIBAN_MAP_TILE_URL", "")
if JISHIBAN_MAP_TILE_URL:
    from urllib.parse import urlsplit as _split

    _tiles = _split(JISHIBAN_MAP_TILE_URL)
    if _tiles.scheme not in ("http", "https") or not _tiles.netloc or "{z}" not in JISHIBAN_MAP_TILE_URL:
        raise ImproperlyConfigured("JISHIBAN_MAP_TILE_URL: an http(s) URL with {z}, {x} and {y}")
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(f"{_tiles.scheme}://{_tiles.netloc}")
