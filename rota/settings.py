"""Rota's settings, read from the environment.

Every value comes from an environment variable through one of the small helpers below. A bad
value stops start-up with an ImproperlyConfigured that names the variable, so a typo in a
deployment never turns into a silently different configuration.
"""

from __future__ import annotations

import os
import zoneinfo
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ROTA_VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_url(name: str, default: str, schemes: tuple[str, ...]) -> str:
    raw = os.environ.get(name, default).strip()
    parts = urlsplit(raw)
    if parts.scheme not in schemes:
        allowed = ", ".join(f"{s}://" for s in schemes)
        raise ImproperlyConfigured(f"{name} must start with one of {allowed}; got {raw!r}")
    return raw


DEBUG = env_bool("DEBUG", False)

# Placeholders that example files and tutorials ship; a deployment that kept one signs its
# sessions and password-reset links with a key the world knows.
_PLACEHOLDER_KEYS = ("change-me", "changeme", "django-insecure-", "your-secret-key")
_KEY_HINT = "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required: set SECRET_KEY, or DEBUG=1 for local development"
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"
elif not DEBUG:
    if any(marker in SECRET_KEY.lower() for marker in _PLACEHOLDER_KEYS):
        raise ImproperlyConfigured(f"SECRET_KEY is a placeholder from an example; {_KEY_HINT}")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "SECRET_KEY is too short or too plain (at least 50 characters, not one repeated); "
            + _KEY_HINT
        )

SITE_URL = env_url("SITE_URL", "http://localhost:8000", ("http", "https")).rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Rota")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or [urlsplit(SITE_URL).hostname or "localhost"]
if DEBUG:
    ALLOWED_HOSTS += ["localhost", "127.0.0.1", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_ratelimit",
    "accounts",
    "rota.rotas",
    "rota.feeds",
    # Its tasks (e-mails) are sent by name from the outbox; the worker finds them here.
    "rota.notifications",
    "rota.github",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out person or address before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "rota.urls"
WSGI_APPLICATION = "rota.wsgi.application"
ASGI_APPLICATION = "rota.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: PostgreSQL in production and CI, an SQLite file under var/ by default.
_DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'rota.sqlite3'}"
try:
    _db = dj_database_url.parse(_DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
except (ValueError, KeyError) as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL we understand: {exc}") from None
if _db["ENGINE"].endswith("sqlite3"):
    # Several processes (web, worker, beat) share the file: wait for locks instead of failing.
    _db.setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
elif _db["ENGINE"].endswith("postgresql") and env_bool("DB_PREPARED_STATEMENTS", True):
    # Parameters bound by the server, and a query run five times on a connection prepared:
    # the pages and feeds polled most run the same few queries, whose planning cost more than
    # running them (measured: 0.98 -> 0.31 ms for a feed's access query). Set
    # DB_PREPARED_STATEMENTS=0 behind a pooler in transaction mode that cannot keep them.
    _db.setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Broker and cache: Redis when REDIS_URL is set, otherwise an embedded filesystem broker and a
# file cache under var/, so a real worker and beat run on a machine with nothing but Python.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    REDIS_URL = env_url("REDIS_URL", "", ("redis", "rediss", "unix"))
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        # A message taken by a worker that died comes back after this long: longer than the
        # longest plan (seconds), short enough that a crash delays work by minutes at most.
        "visibility_timeout": env_int("ROTA_VISIBILITY_TIMEOUT_SECONDS", 120, minimum=30),
        # Fail fast when Redis is away: the outbox keeps the work, a page must not hang.
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
    }
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "rota"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    # kombu's filesystem transport, writing whole messages (rota.broker); a host, or kombu
    # warns on every send.
    CELERY_BROKER_URL = "rotafs://localhost/"
    CELERY_RESULT_BACKEND = None
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# Sends never retry and connecting gives up quickly: the outbox (rota.rotas.outbox) is what
# makes work survive a broker outage, not a request that hangs on it.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Rota reads outcomes from the worker's log and the database, never from a result backend,
# so sending a task does not subscribe to its result (one more thing that needs the broker).
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# E-mail: the console by default; SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Rota <rota@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Security: secure by default; DEBUG (local development) relaxes what needs HTTPS.
_https = SITE_URL.startswith("https://")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _https else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _https and not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # container health checks speak plain HTTP
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _https else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _https)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Rota's own settings.
ROTA_DEFAULT_HORIZON_WEEKS = env_int("ROTA_DEFAULT_HORIZON_WEEKS", 26, minimum=1)
ROTA_REPLAN_DEBOUNCE_SECONDS = env_int("ROTA_REPLAN_DEBOUNCE_SECONDS", 30, minimum=0)
# The outbox: how often beat sweeps it, and how long a sent task may stay quiet before its
# work is sent again (the first retry; later ones wait twice as long each time).
ROTA_OUTBOX_SWEEP_SECONDS = env_int("ROTA_OUTBOX_SWEEP_SECONDS", 15, minimum=1)
ROTA_OUTBOX_RETRY_SECONDS = env_int("ROTA_OUTBOX_RETRY_SECONDS", 40, minimum=1)
ROTA_DEFAULT_TIME_ZONE = env_str("ROTA_DEFAULT_TIME_ZONE", "UTC")
if ROTA_DEFAULT_TIME_ZONE not in zoneinfo.available_timezones():
    raise ImproperlyConfigured(
        f"ROTA_DEFAULT_TIME_ZONE must be an IANA zone; got {ROTA_DEFAULT_TIME_ZONE!r}"
    )


# Brute force: django-axes locks out a login after ROTA_LOGIN_FAILURE_LIMIT failures for one
# account, and separately for one address, for ROTA_LOGIN_COOLOFF_MINUTES. Behind a proxy,
# ROTA_PROXY_COUNT says how many proxies add to X-Forwarded-For, so the client is found.
AXES_FAILURE_LIMIT = env_int("ROTA_LOGIN_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ROTA_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
_proxies = env_int("ROTA_PROXY_COUNT", 0, minimum=0)
if _proxies:
    AXES_IPWARE_PROXY_COUNT = _proxies
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
# Password-reset e-mails, limited per address asked for and per client (django-ratelimit).
ROTA_PASSWORD_RESET_RATE_PER_EMAIL = env_str("ROTA_PASSWORD_RESET_RATE_PER_EMAIL", "3/h")
ROTA_PASSWORD_RESET_RATE_PER_CLIENT = env_str("ROTA_PASSWORD_RESET_RATE_PER_CLIENT", "20/h")
RATELIMIT_VIEW = "accounts.views.rate_limited"
# Rate counters live in the cache; when it is away, a reset is still answered (fail open)
# and the login lockout, kept in the database by django-axes, still holds.
RATELIMIT_FAIL_OPEN = True
# Django's own Redis cache increments atomically, but django-ratelimit knows only
# django-redis by name; the embedded file cache of `make run` serves one developer.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"] + (
    [] if REDIS_URL else ["django_ratelimit.E003"]
)

# Seconds a web process remembers whether a rota is public and which plan it shows, for
# signed-out readers (rota.read_cache); 0 asks the database every time.
ROTA_READ_CACHE_SECONDS = env_int("ROTA_READ_CACHE_SECONDS", 2, minimum=0)

# The API (rota.api, docs/api.md): personal tokens or the session; every caller is counted
# per person (or per address when anonymous) and per address, in the cache. A cache that is
# down counts nothing and lets requests through (rota.api.throttling), never a 500.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rota.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["rota.api.throttling.CallerThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_str("ROTA_API_RATE_PER_USER", "600/min"),
        "address": env_str("ROTA_API_RATE_PER_ADDRESS", "1200/min"),
    },
    "NUM_PROXIES": _proxies or None,
    "DEFAULT_PAGINATION_CLASS": "rota.api.pagination.PageNumbers",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "rota.api.errors.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rota API",
    "DESCRIPTION": "Who is on duty now, and the rest of Rota, for bots, scripts and other tools.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the sidecar package: served by us, no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "RotaKindEnum": "rota.rotas.models.RotaKind",
        "FeedKindEnum": "rota.feeds.models.FeedKind",
        "WeekdayEnum": "accounts.models.Weekday",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"feed_tokens": {"()": "rota.log_redaction.FeedTokenRedaction"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["feed_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Django's own loggers name request paths ("Not Found: /feeds/me/<token>.ics"): through
    # the filtered handler only, never Django's default one.
    "loggers": {
        name: {"handlers": ["console"], "level": "INFO", "propagate": False}
        for name in ("django", "django.request", "django.server", "gunicorn.access")
    }
    # django-axes reports every login at INFO; failures and lockouts come at WARNING.
    | {"axes": {"handlers": ["console"], "level": "WARNING", "propagate": False}},
}

# GitHub: where its REST API answers (a stand-in in tests and benchmarks) and how long a call
# may take. Repositories and their credentials are configured in the admin.
GITHUB_API_URL = env_url("GITHUB_API_URL", "https://api.github.com", ("https", "http"))
# Where people open a pull request (links in hand-off notes): GitHub Enterprise has its own.
GITHUB_WEB_URL = env_url("GITHUB_WEB_URL", "https://github.com", ("https", "http")).rstrip("/")
GITHUB_TIMEOUT_SECONDS = env_int("GITHUB_TIMEOUT_SECONDS", 10, minimum=1)
# GitHub refuses deliveries over 25 MB: https://docs.github.com/en/webhooks/webhook-events-and-payloads
GITHUB_WEBHOOK_MAX_BYTES = 25 * 1024 * 1024
# Tries of a delivery's processing before it is marked failed and shown to managers.
GITHUB_MAX_ATTEMPTS = env_int("GITHUB_MAX_ATTEMPTS", 6, minimum=1)
# A delivery claimed by a worker that went quiet this long is claimed again.
GITHUB_CLAIM_STALE_SECONDS = env_int("GITHUB_CLAIM_STALE_SECONDS", 120, minimum=10)
