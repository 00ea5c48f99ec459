"""Settings come from the environment; see `.env.example` for every variable."""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Only ever used while DEBUG is on; production must set SECRET_KEY.
DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"
# Values that .env.example and other samples ship with: never a real key.
PLACEHOLDER_SECRET_KEYS = {"change-me", "changeme", "secret", "your-secret-key"}
SECRET_KEY_MIN_LENGTH = 50
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or DEVELOPMENT_SECRET_KEY


def _secret_key_problem(key: str) -> str:
    """Why `key` must not sign sessions in production ("" when it may): the same rules as `check --deploy`."""
    if key == DEVELOPMENT_SECRET_KEY:
        return "SECRET_KEY is not set (only the development key is built in)"
    if key.strip().lower() in PLACEHOLDER_SECRET_KEYS:
        return f"SECRET_KEY is the placeholder {key!r} from the example configuration"
    if key.startswith("django-insecure-"):
        return "SECRET_KEY starts with 'django-insecure-'"
    if len(key) < SECRET_KEY_MIN_LENGTH or len(set(key)) < 5:
        return f"SECRET_KEY is too weak ({len(key)} characters; at least {SECRET_KEY_MIN_LENGTH}, varied)"
    return ""


if not DEBUG and (_problem := _secret_key_problem(SECRET_KEY)):
    raise ImproperlyConfigured(
        f"{_problem}. Set a random SECRET_KEY of {SECRET_KEY_MIN_LENGTH} or more characters, e.g. "
        'python3 -c "import secrets; print(secrets.token_urlsafe(50))", or DEBUG=1 for development.'
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "apps.core.error_views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_fsm",
    "django_htmx",
    "axes",
    "apps.core",
    "apps.accounts",
    "apps.billing",
    "apps.titles",
    "apps.addresses",
    "apps.invoices",
    "apps.notifications",
    "apps.refunds",
    "apps.console",
    "apps.backoffice",
    "apps.staffconsole",
    "apps.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "apps.core.middleware.SettingsPolicyCSPMiddleware",  # django-csp's, with the settings' header built once
    "apps.core.middleware.NoStoreMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.accounts.middleware.LoginRequiredMiddleware",
    "apps.core.middleware.AdminQueryNulMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "invoicing_console.urls"
WSGI_APPLICATION = "invoicing_console.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.core.context_processors.navigation",
                "apps.notifications.context_processors.bell",
            ],
        },
    },
]

# PostgreSQL when DATABASE_URL is set; an SQLite file under var/ for the embedded `make run` path.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'invoicing.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE") or 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out username or address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "apps.accounts.backends.LoginLockoutBackend",
    # Django's ModelBackend with the signed-in user read from the shared cache (apps/accounts/user_cache.py).
    "apps.accounts.backends.CachedUserModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded files (support-ticket attachments). Never served as static files: a view checks who may read each one.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Reverse proxies in front of the app that append to X-Forwarded-For (0: clients connect directly). The login
# lockout and the API throttle count per client address; without this behind a proxy every client is the proxy.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT") or 0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous request (the schema, the docs) answers 401 with `WWW-Authenticate: Token`.
        "apps.core.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # JSON nested too deep and bodies over DATA_UPLOAD_MAX_MEMORY_SIZE answer 400 in the error body.
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.api.parsers.JSONParser",
        "apps.core.api.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Requests per client address to POST /api/v1/auth/token/ (apps.core.api.AuthTokenThrottle).
    "DEFAULT_THROTTLE_RATES": {"auth_token": os.environ.get("API_TOKEN_THROTTLE_RATE") or "20/minute"},
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,  # never take a client-sent X-Forwarded-For as its address
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.api.StandardPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "apps.core.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "apps.core.api.schema.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Invoicing Console API",
    "DESCRIPTION": "Cloud-marketplace paper invoices: titles, addresses, invoiceable amounts and invoice requests.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Request bodies get components of their own, so read-only fields are never listed as required input.
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `kind`: name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "CalendarOverrideKindEnum": "apps.core.models.CalendarOverride.Kind",
        "NotificationKindEnum": "apps.notifications.models.Notification.Kind",
        "InvoiceTitleKindEnum": "apps.titles.models.InvoiceTitle.Kind",
        "InvoiceRequestStatusEnum": "apps.invoices.models.InvoiceRequest.Status",
        "RefundStatusEnum": "apps.refunds.models.Refund.Status",
        "InvoiceReturnStatusEnum": "apps.refunds.models.InvoiceReturn.Status",
        "InvoiceReturnFaultEnum": "apps.refunds.models.InvoiceReturn.Fault",
        "SupportTicketStatusEnum": "apps.refunds.models.SupportTicket.Status",
        "WithdrawalStatusEnum": "apps.refunds.models.Withdrawal.Status",
    },
}

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport under var/ so that
# `make run` works with nothing but Python installed (real worker and beat processes, not eager mode).
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_TASK_DEFAULT_QUEUE = "invoicing"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
else:
    CELERY_QUEUE_DIR = VAR_DIR / "celery" / "queue"
    CELERY_CONTROL_DIR = VAR_DIR / "celery" / "control"
    for _folder in (CELERY_QUEUE_DIR, CELERY_CONTROL_DIR):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost/"  # the host is ignored; naming it keeps kombu from warning
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR),
        "data_folder_out": str(CELERY_QUEUE_DIR),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
        # Exchange bindings; kombu's default is ./control in the current directory.
        "control_folder": str(CELERY_CONTROL_DIR),
    }
    # The filesystem transport has no broadcast that survives a dead worker, so no remote control
    # (`celery inspect`/`control`); mingle and gossip switch themselves off on this transport.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Beat touches this file on every tick (invoicing_console.celery.HeartbeatScheduler) and wakes at least once a
# minute, so a health check can tell a live beat from a stuck one by the file's age.
CELERY_BEAT_SCHEDULER = "invoicing_console.celery:HeartbeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 60
CELERY_BEAT_HEARTBEAT_FILE = str(VAR_DIR / "celerybeat-heartbeat")
# Minutes between two SLA sweeps (reminders of requests at risk, breaches of overdue ones).
SLA_SWEEP_MINUTES = int(os.environ.get("SLA_SWEEP_MINUTES") or 15)
if SLA_SWEEP_MINUTES < 1:
    raise ImproperlyConfigured("SLA_SWEEP_MINUTES must be at least 1.")
CELERY_BEAT_SCHEDULE = {
    "balances-reconcile": {
        "task": "apps.billing.tasks.balances_reconcile_task",
        "schedule": 60 * 60,
    },
    # E-mail notifications the on-commit task could not queue (broker down) or send (apps/notifications).
    "notification-outbox-drain": {
        "task": "apps.notifications.tasks.drain_notification_outbox_task",
        "schedule": 60,
    },
    # The SLA sweep (apps.invoices.sla): reminders and breaches. A message older than one interval expires unrun
    # (workers were down): the next sweep catches up on everything anyway.
    "sla-sweep": {
        "task": "apps.invoices.tasks.sla_sweep_task",
        "schedule": SLA_SWEEP_MINUTES * 60,
        "options": {"expires": SLA_SWEEP_MINUTES * 60},
    },
    # Catch-up of the recompute that a calendar change queues on commit: if the broker was down then, that message
    # was lost; this brings every open request's mail-by date in line within the hour (a no-op when all are right).
    "due-dates-recompute": {
        "task": "apps.invoices.tasks.due_dates_recompute_task",
        "schedule": 60 * 60,
        "options": {"expires": 60 * 60},
    },
    # The nightly audit: shipping-payer rule and balances vs. requests, findings for staff (CELERY_TIMEZONE).
    "nightly-audit": {
        "task": "apps.invoices.tasks.nightly_audit_task",
        "schedule": crontab(hour=2, minute=30),
    },
}

# E-mail is printed to the log (the worker's output) until an SMTP server is named with EMAIL_HOST.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "invoicing@localhost")
# The address links in e-mails start with (notifications link to the request's page).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)

# HTTPS, for a deployment behind TLS (all off by default so plain http://localhost works). Behind a reverse proxy
# that terminates TLS, set SECURE_PROXY_SSL_HEADER=1 so Django trusts its X-Forwarded-Proto header.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # container health checks call plain HTTP inside the host
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS") or 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Security: login lockout, API tokens, cache, Content-Security-Policy ---------------------------------------
# The shared cache holds the API throttle counters: Redis when REDIS_URL is set (every web process sees the same
# counts), else memory for `make run`. Redis being down must not break pages or signing in: the backend then misses
# and drops writes (apps.core.cache), and short timeouts keep an unreachable Redis from stalling requests.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "apps.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "invoicing",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The signed-in user (with its vendor or account) and API tokens are read from the shared cache first: a query fewer
# on every request. Only with Redis: a per-process memory cache would keep a user another process has just changed.
# A change drops the entry at once; the timeout bounds what a lost invalidation (Redis timing out) could leave.
# Sessions stay in PostgreSQL alone: a logout must end the session even when Redis does not answer.
SHARED_CACHE = bool(REDIS_URL)
AUTH_USER_CACHE_SECONDS = int(os.environ.get("AUTH_USER_CACHE_SECONDS") or 60) if SHARED_CACHE else 0

# API tokens (POST /api/v1/auth/token/) expire this many days after they were issued; DELETE revokes one.
TOKEN_TTL_DAYS = int(os.environ.get("TOKEN_TTL_DAYS") or 30)

# django-axes: after LOGIN_FAILURE_LIMIT wrong passwords for one username, or from one client address, logging in
# (page and token endpoint) is refused for LOGIN_LOCKOUT_MINUTES. Failures are kept in the database (the counts
# hold across processes); `manage.py axes_reset_username NAME` unlocks early.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT") or 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES") or 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "apps.accounts.views.login_lockout_response"
AXES_CLIENT_IP_CALLABLE = "apps.core.client_ip.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # successful logins are not recorded: only failures count
AXES_ENABLE_ADMIN = False  # nothing for staff to do there; the command above unlocks
AXES_VERBOSE = False

# Content-Security-Policy (django-csp): our own scripts and styles only; no inline script. The API docs pages
# widen it for themselves (apps.core.api.docs).
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
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A 403 or 404 is one line (django.request logs it with the exception attached); a 500 keeps its traceback.
    "filters": {"client_errors_on_one_line": {"()": "apps.core.log_filters.ClientErrorsOnOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["client_errors_on_one_line"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes logs every successful login at INFO; its warnings (failures, lockouts) are the ones to keep.
    "loggers": {"axes": {"level": "WARNING"}},
}
