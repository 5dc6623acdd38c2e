"""Settings for physiodesk, read from the environment (see .env.example and the README table).

With nothing set the service runs on an embedded SQLite file and runs Celery tasks in-process,
so a fresh checkout works with no services. Production sets DATABASE_URL and REDIS_URL.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# No default secret outside DEBUG: a production process without SECRET_KEY must not start.
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-deploy")
else:
    SECRET_KEY = env.str("SECRET_KEY")

# The public address of this site, for links in emails (no trailing slash).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served by us rather than a CDN
    "simple_history",
    "axes",
    "csp",
    "accounts",
    "audit",
    "booking",
    "plans",
    "notifications",
    "privacy",
    "waitlist",
    "sessionnotes",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A NUL byte in the address is a 400 before anything reaches the database.
    "core.middleware.RefuseNulBytes",
    # A page whose database went away is a 503 "back in a moment", not a server error.
    "core.middleware.DatabaseUnavailablePage",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who and through which channel, for the audit trail's change history.
    "audit.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the 429 page or error.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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

# --- Database -------------------------------------------------------------------------------
# Unset DATABASE_URL -> an SQLite file beside manage.py. On SQLite every transaction starts with
# BEGIN IMMEDIATE, so two bookings racing for one slot are serialised by the database (a
# DEFERRED transaction that reads then writes would fail at once instead of waiting).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DB_LOCK_TIMEOUT_MS = env.int("DB_LOCK_TIMEOUT_MS", default=3000)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": DB_LOCK_TIMEOUT_MS / 1000,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # A file, not :memory:, so concurrency tests can open several connections to one database.
    DATABASES["default"]["TEST"] = {
        "NAME": env.str("SQLITE_TEST_DB", default=str(BASE_DIR / "test-db.sqlite3"))
    }
else:
    # Bound every lock wait: a booking that waits longer answers 409 slot_busy, never hangs.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c lock_timeout={DB_LOCK_TIMEOUT_MS}"
    )
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Behind PgBouncer in transaction pooling mode each transaction may run on another server
    # connection, so nothing may live in the session: no prepared statements, no server-side
    # cursors, and no startup options (PgBouncer refuses them). The lock timeout then comes
    # from the pooler's connect_query or the role/database setting (docs/scaling.md).
    if env.bool("DB_TRANSACTION_POOLING", default=False):
        DATABASES["default"]["OPTIONS"].pop("options")
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = None
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    elif env.bool("DB_PREPARED_STATEMENTS", default=True):
        # A direct connection: values are bound by the server and each statement is prepared
        # from its second run on that connection, so the booking path's statements are parsed
        # and planned once, not per request (decision 0006: planning was half of the
        # availability re-check's time). Not behind a transaction pooler (above), where the
        # next transaction may run on a server connection that never saw the statement.
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 2

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "physiodesk",
        }
    }
else:
    # Embedded default: one process, so a per-process cache is correct here.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
# Without a broker the tasks run in-process, so the embedded default needs no worker.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Beat runs interval schedules only (no crontab), so clock changes neither skip nor double a run.
NOTIFICATIONS_SCAN_INTERVAL_SECONDS = env.float("NOTIFICATIONS_SCAN_INTERVAL_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE: dict = {
    # Reminders are rows with a due time, never far-future ETA tasks (STYLE §4). This scan sends
    # whatever is due, so a reminder is at most a minute late and an outage is caught up after.
    # Scans queued while no worker runs expire instead of piling up.
    "send-due-notifications": {
        "task": "notifications.tasks.send_due_notifications",
        "schedule": NOTIFICATIONS_SCAN_INTERVAL_SECONDS,
        "options": {"expires": NOTIFICATIONS_SCAN_INTERVAL_SECONDS * 0.9},
    },
    # Stored Idempotency-Key replies are kept IDEMPOTENCY_KEY_TTL_HOURS; hourly is plenty.
    "forget-expired-idempotency-keys": {
        "task": "booking.tasks.forget_expired_idempotency_keys",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    # Erased patients' records are kept through their retention date (a day); daily is exact
    # enough, and an interval rather than a crontab cannot be skipped or doubled by a clock
    # change. Idempotent, so a run after an outage simply catches up.
    "purge-expired-records": {
        "task": "privacy.tasks.purge_expired_records",
        "schedule": 24 * 3600.0,
        "options": {"expires": 23 * 3600},
    },
}

# --- Auth and i18n --------------------------------------------------------------------------
# The sign-in guard (django-axes) first: it refuses a locked-out account or address before any
# password is checked. Then one backend for every sign-in (web, API token, admin): username or
# email address, either case (accounts/backends.py).
AUTHENTICATION_BACKENDS = [
    "accounts.backends.SignInGuard",
    "accounts.backends.EmailOrUsernameBackend",
]

# Sign-in lock-out (django-axes, accounts/lockout.py): SIGN_IN_FAILURE_LIMIT failed sign-ins for
# one account, or from one client address, within SIGN_IN_LOCKOUT_MINUTES lock it for that
# long after the last failure; meanwhile every attempt, right password or not, answers 429
# with Retry-After. A clinic admin can unlock their clinic's accounts (admin and API).
AXES_FAILURE_LIMIT = env.int("SIGN_IN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIGN_IN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one alone locks
# "Pat@Example.com", "pat@example.com" and "pat" are one account, counted once.
AXES_USERNAME_CALLABLE = "accounts.lockout.account_key"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out_response"
# Knocking during a lock-out does not extend it: the window ends when it said it would.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Failures are kept (that is the counter); successful sign-ins are not logged by axes, so
# client addresses do not pile up forever beside the audit trail.
AXES_DISABLE_ACCESS_LOG = True
# Never stored in its counters: the password typed, or the form's CSRF token.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "csrfmiddlewaretoken"]
# Our own admin for the counters (accounts/admin.py: scoped to a clinic admin's accounts, with
# an unlock action) replaces axes' unscoped one.
AXES_ENABLE_ADMIN = False

# Client addresses (lock-out, rate limits): X-Forwarded-For is believed only behind this many
# proxies of our own; 0 (the default) takes the connection's address and ignores the header,
# which any client can write.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Links in account emails (password reset, email verification) work this long.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_HOURS", default=24) * 3600
EMAIL_VERIFICATION_MAX_AGE_HOURS = env.int("EMAIL_VERIFICATION_MAX_AGE_HOURS", default=72)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# The default clinic time zone. Every stored time is UTC; each clinic carries its own zone.
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic writes (the image does it at build time).
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Uploaded files (therapist photos only): kept under MEDIA_ROOT and served through the app
# (web.views.booking_flow.therapist_photo), so no web server needs to expose the folder.
# In docker-compose or on several web hosts, MEDIA_ROOT must be a shared, persistent volume.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Largest therapist photo accepted, in bytes (the kept copy is a small re-encoded JPEG).
THERAPIST_PHOTO_MAX_BYTES = env.int("THERAPIST_PHOTO_MAX_BYTES", default=5 * 1024 * 1024)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# WhiteNoise also serves straight from each app's static/ folder, so `gunicorn config.wsgi` on a
# fresh checkout has its CSS and JavaScript without a collectstatic step (the image still
# collects them at build time, compressed).
WHITENOISE_USE_FINDERS = True

# --- HTTPS and browser security ----------------------------------------------------------------
# HTTPS=1 in production (behind TLS): HSTS, HTTP redirected to HTTPS, cookies only over HTTPS.
# Off by default so the embedded default and loopback runs work over plain HTTP.
HTTPS = env.bool("HTTPS", default=False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS)
# Behind a TLS-terminating proxy, the header it sets to say the request came over HTTPS, as
# "HEADER,value" (e.g. HTTP_X_FORWARDED_PROTO,https). Only set it when that proxy always
# writes (or strips) the header; otherwise a client could claim HTTPS.
_proxy_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header) if len(_proxy_ssl_header) == 2 else None
# The health check is called over plain HTTP by the container's own probe.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy on every response (django-csp): scripts, styles, fonts and images
# only from this site, no inline scripts, no plugins, no framing. Inline style *attributes*
# stay allowed (style-src-attr): the diary places its blocks with `style="--at: …"`; style
# elements and scripts stay locked to our own files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGIN_URL = "web:login"

# API tokens (django-rest-knox): stored as SHA-512 digests, each expiring API_TOKEN_TTL_HOURS
# after it was issued; accounts.AuthToken adds an id to list and revoke them by.
KNOX_TOKEN_MODEL = "accounts.AuthToken"  # noqa: S105 (a model label, not a secret)
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.float("API_TOKEN_TTL_HOURS", default=10.0)),
    "AUTH_HEADER_PREFIX": "Token",
}

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if env.str("EMAIL_HOST", default="")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="physiodesk <bookings@localhost>")
# Seconds; a hung SMTP server must not hold a worker (or, embedded, a request) forever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- Notifications (notifications/conf.py explains each) ----------------------------------------
NOTIFICATIONS_SMS_BACKEND = env.str(
    "NOTIFICATIONS_SMS_BACKEND", default="notifications.sms.ConsoleSMSBackend"
)
# A claim older than this without sent_at is a dead worker's; the row is claimed again.
NOTIFICATIONS_CLAIM_TIMEOUT_SECONDS = env.int("NOTIFICATIONS_CLAIM_TIMEOUT_SECONDS", default=300)
NOTIFICATIONS_BATCH_SIZE = env.int("NOTIFICATIONS_BATCH_SIZE", default=100)
# Requests one calendar feed URL may make per minute before it gets 429 (clients poll far less).
NOTIFICATIONS_FEED_REQUESTS_PER_MINUTE = env.int(
    "NOTIFICATIONS_FEED_REQUESTS_PER_MINUTE", default=30
)
# Domain of our Message-IDs; empty: the domain of DEFAULT_FROM_EMAIL.
NOTIFICATIONS_MESSAGE_ID_DOMAIN = env.str("NOTIFICATIONS_MESSAGE_ID_DOMAIN", default="")

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",  # DRF's, with a nesting limit (API_JSON_MAX_DEPTH)
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DATETIME_FORMAT": "iso-8601",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Rate limits per scope (core/throttles.py): per user when signed in, else per client
    # address; over the limit answers 429 with Retry-After. "N/second|minute|hour|day".
    "DEFAULT_THROTTLE_RATES": {
        "availability": env.str("THROTTLE_AVAILABILITY", default="120/minute"),
        "booking": env.str("THROTTLE_BOOKING", default="30/minute"),
        "registration": env.str("THROTTLE_REGISTRATION", default="10/hour"),
        "password_reset": env.str("THROTTLE_PASSWORD_RESET", default="10/hour"),
    },
    # Proxies of ours in front of the app: how much of X-Forwarded-For to believe.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}

# Request bodies nested deeper than this are answered 400 (core/parsers.py).
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=32)

SPECTACULAR_SETTINGS = {
    "TITLE": "physiodesk API",
    "DESCRIPTION": (
        "Booking and treatment-plan service for physiotherapy and sports-therapy clinics. "
        "Every time is ISO 8601 with a UTC offset. Errors share one shape: "
        '{"error": {"code", "message", "fields"}}.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from drf-spectacular-sidecar's static files: no CDN, and it fits our CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No deep links: Swagger UI draws each as a link inside the operation's expand button, which
    # screen readers and keyboards cannot tell apart (axe: nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.add_error_responses",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "BookingStatusEnum": "booking.models.BookingStatus",
        "ChannelEnum": "booking.models.Channel",
        "CancellationReasonEnum": "booking.models.CancellationReason",
        # Plans name modalities in several fields (substituted_for, alternative_modality ...).
        "ModalityEnum": "booking.models.Modality",
    },
}

# Secret tokens in URLs (manage links, feeds, password resets) are redacted from every log line
# (core/logs.py): on the request and server loggers themselves, so every handler and capture
# sees the redacted text, and on the console handler for everything else.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "core.logs.RedactSecrets"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.request": {
            "level": env.str("LOG_LEVEL", default="INFO"),
            "filters": ["redact_secrets"],
        },
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["redact_secrets"],
        },
    },
}

# Idempotency-Key replies are kept this long, then the hourly beat task deletes them.
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=48)
