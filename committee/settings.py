"""Settings for the partners' committee portal, read from the environment.

Defaults give a working local set-up (SQLite, eager Celery, console email). In production
(`DJANGO_ENV=production`) every secret must come from the environment and start-up fails
loudly otherwise.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

ENVIRONMENT = env.str("DJANGO_ENV", default="development")
if ENVIRONMENT not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be development, test or production, not {ENVIRONMENT!r}."
    )
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")  # no default: a missing secret stops start-up
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured("SECRET_KEY is too weak for production (50+ random chars).")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-local-development-only-key")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "widget_tweaks",
    "dsfr",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "simple_history",
    # Ours, from the bottom layer up.
    "members",
    "referentials",
    "initiatives",
    "committee",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HEAD is served as the GET it stands for, without the body (committee/head.py).
    "committee.head.HeadAsGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "committee.middleware.FrenchFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Form bodies in another charset than UTF-8: the French 400 page, before anything reads them.
    "committee.http_errors.FormCharsetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # No-store on private pages and on any page answered to a signed-in person.
    "committee.middleware.PrivateNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy (django-csp) and Permissions-Policy headers.
    "csp.middleware.CSPMiddleware",
    "committee.middleware.PermissionsPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Officials, association admins and staff set up MFA before they can act.
    "members.middleware.MFARequiredMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "committee.urls"
WSGI_APPLICATION = "committee.wsgi.application"
ASGI_APPLICATION = "committee.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # long_date, long_datetime, document_kind: French dates and sizes everywhere.
            "builtins": ["members.templatetags.dates"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "committee.context_processors.site_config",
                "committee.context_processors.portal",
                "committee.context_processors.operator",
                "members.context_processors.notifications",
                "committee.landing.navigation.navigation",
            ],
        },
    },
]

# Database: SQLite is only the embedded default for `make run`; PostgreSQL in production/tests.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
SILENCED_SYSTEM_CHECKS: list[str] = []
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Covering indexes (INCLUDE) are a PostgreSQL optimisation; SQLite has plain ones.
    SILENCED_SYSTEM_CHECKS.append("models.W040")
if PRODUCTION and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Production runs on PostgreSQL: set DATABASE_URL=postgres://…")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: unset means local-memory cache and eager Celery; set means the real services.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="cnpe"),
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
                # A cache outage must not take the public pages down.
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    # allauth's rate limits (members.ratelimit_cache): the same Redis, but errors raised, so
    # that a Redis outage is seen and the limits are counted in memory instead of refusing
    # every login.
    CACHES["ratelimit"] = {
        **CACHES["default"],
        "OPTIONS": {**CACHES["default"]["OPTIONS"], "IGNORE_EXCEPTIONS": False},
    }
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    if PRODUCTION:
        raise ImproperlyConfigured("Production needs REDIS_URL (Celery broker and cache).")
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Template fragments that are the same for every page of a language (footer, skip links,
# the DSFR's stylesheets and display settings): kept in each web process, never shared.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "TIMEOUT": 3600,
    "OPTIONS": {"MAX_ENTRIES": 100},
}

# The catalogue's facets and filters from bitmaps kept in each web process, rebuilt when
# the catalogue's version changes (initiatives/catalogue/bitmaps.py); off: SQL only.
CATALOGUE_BITMAPS = env.bool("CATALOGUE_BITMAPS", default=True)

# Celery
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=15 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
# Longer than any time limit, countdown or retry delay, or Redis redelivers running tasks.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 4 * 60 * 60}
CELERY_TIMEZONE = "Europe/Paris"
CELERY_BEAT_SCHEDULE = {
    "sweep-inactive-accounts": {
        "task": "members.tasks.sweep_inactive_accounts",
        "schedule": crontab(hour=3, minute=30),
    },
    # Officials' weekly digest, Monday 8:00 Paris time (CELERY_TIMEZONE).
    "officials-weekly-digest": {
        "task": "committee.steering.tasks.send_weekly_digest",
        "schedule": crontab(hour=8, minute=0, day_of_week="monday"),
    },
    # Expired report files deleted; lost or stuck report jobs (no live worker) sent again or
    # failed: every minute, so no report stays stuck more than about two minutes.
    "sweep-reports": {
        "task": "committee.reports.tasks.sweep_reports",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Notifications (docs/notifications.md): emails still undelivered are queued again;
    # digests at 7:00 (daily) and on Monday at 7:15 (weekly); search alerts at 6:30.
    "sweep-undelivered-notifications": {
        "task": "members.tasks.sweep_undelivered",
        "schedule": timedelta(minutes=5),
    },
    "daily-notification-digests": {
        "task": "members.tasks.send_digests",
        "schedule": crontab(hour=7, minute=0),
        "args": ("daily",),
    },
    "weekly-notification-digests": {
        "task": "members.tasks.send_digests",
        "schedule": crontab(hour=7, minute=15, day_of_week="monday"),
        "args": ("weekly",),
    },
    "search-alerts": {
        "task": "committee.public.alerts.send_search_alerts",
        "schedule": crontab(hour=6, minute=30),
    },
    # Day-before reminders of convened sessions; hourly, each person reminded once per
    # session (the delivery key decides), so a session convened late the day before is too.
    "session-reminders": {
        "task": "committee.sessions.tasks.send_session_reminders",
        "schedule": crontab(minute=5),
    },
    # Signature rounds of contributions: reminders 7 and 2 days before the deadline.
    "signature-reminders": {
        "task": "committee.contributions.tasks.send_signature_reminders",
        "schedule": crontab(minute=35),
    },
    # Steering figures without criteria kept in the cache (/pilotage/ answers at once).
    "warm-statistics": {
        "task": "committee.steering.tasks.warm_statistics",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # The same for the home page, the map and the catalogue without criteria.
    "warm-public-pages": {
        "task": "committee.public.tasks.warm_public_pages",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}

# Notification emails (members.notifications.delivery). A claimed email is leased this long:
# above the delivery task's hard time limit (90 s), so a dead worker's lease runs out and the
# sweep sends the email again. Retries wait base × 2^n seconds (at most an hour), all far
# below the broker's visibility timeout; after NOTIFICATION_MAX_ATTEMPTS the email is failed.
NOTIFICATION_LEASE_SECONDS = env.int("NOTIFICATION_LEASE_SECONDS", default=120)
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=6)
NOTIFICATION_RETRY_BASE_SECONDS = env.float("NOTIFICATION_RETRY_BASE_SECONDS", default=60)
# The sweep queues again emails still pending this long after they were due.
NOTIFICATION_SWEEP_AFTER_SECONDS = env.int("NOTIFICATION_SWEEP_AFTER_SECONDS", default=600)

# Email: console by default, any backend through EMAIL_URL (smtp://, consolemail://, …).
# Outside production without EMAIL_URL, emails are also kept for the demo's mailbox page
# (/dev/courriels/, committee.mailbox), which production never routes.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEV_MAILBOX = not PRODUCTION and env.bool("DEV_MAILBOX", default=True)
MAILBOX_DIR = env.path("MAILBOX_DIR", default=BASE_DIR / "tmp" / "mailbox")
if DEV_MAILBOX and "EMAIL_URL" not in env:
    EMAIL_BACKEND = "committee.mailbox.MailboxBackend"
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Comité numérique pour l'éducation <ne-pas-repondre@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Users and authentication
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "landing"  # what waits for the person (committee.landing)
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Comité numérique éducation"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Accounts: no open signup (rights come from invitations), no "remember me" (sessions end
# with the browser and after SESSION_COOKIE_AGE), allauth's default rate limits (login
# failures, password resets…) counted in the cache, i.e. Redis when REDIS_URL is set.
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"
MFA_ADAPTER = "members.adapters.MFAAdapter"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Comité numérique éducation] "
# Client address for allauth's rate limits (failed logins per IP…). Behind a reverse proxy,
# REMOTE_ADDR is the proxy's for everyone: name the proxy, or all visitors share one counter.
# Either the number of trusted proxies appending to X-Forwarded-For (the client is the entry
# that many from the right), or a header the proxy sets itself (e.g. X-Real-IP). Unset: the
# headers are ignored (a client could write them) and REMOTE_ADDR counts.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("ALLAUTH_TRUSTED_CLIENT_IP_HEADER", default="") or None
INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=7)
# Personal data: accounts unseen this long are warned, then anonymised after the grace period
# (700 + 30 days: the two years announced on the privacy page).
INACTIVITY_WARNING_DAYS = env.int("INACTIVITY_WARNING_DAYS", default=700)
INACTIVITY_GRACE_DAYS = env.int("INACTIVITY_GRACE_DAYS", default=30)

# Internationalisation: French first, English available.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# Static files and media
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# DSFR's integrity hashes break on compressed copies (django-dsfr #226): keep plain manifest.
DSFR_USE_INTEGRITY_CHECKSUMS = False
_media_backend = "django.core.files.storage.FileSystemStorage"
_media_options: dict = {}
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _media_backend = "storages.backends.s3.S3Storage"
    _media_options = {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
STORAGES = {
    "default": {"BACKEND": _media_backend, "OPTIONS": _media_options},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production, serve static files straight from the apps (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DOCUMENT_MAX_SIZE = 10 * 1024 * 1024

# REST API: read-only, open data.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API du comité des partenaires du numérique pour l'éducation",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    # Deep links put a link inside each operation's button (axe: nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "committee.api.schema.add_error_responses",
    ],
}

# Security
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Enforced CSP, no 'unsafe-inline': scripts carry the per-request nonce
# (`request.csp_nonce`, also given to `{% dsfr_js %}`), styles live in static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "frame-ancestors": [csp.NONE],
        "form-action": [csp.SELF],
        "base-uri": [csp.SELF],
        "object-src": [csp.NONE],
    },
}
# Browser features the portal never uses (committee.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Portal
PORTAL_NAME = "Comité des partenaires du numérique pour l'éducation"
# Who runs the portal, shown on the legal notice and the accessibility statement; the
# contact form writes to CONTACT_EMAIL. Required in production; demonstration values
# elsewhere. HOSTING_PROVIDER: name, address and telephone, lines separated by "|".
_OPERATOR_VARIABLES = {
    "PUBLICATION_DIRECTOR": "Directrice ou directeur du numérique pour l'éducation (démonstration)",
    "HOSTING_PROVIDER": "Poste de démonstration|Hébergement local, sans mise en ligne",
    "CONTACT_EMAIL": "secretariat@demo.comite-numerique.fr",
    "ACCESSIBILITY_CONTACT": "accessibilite@demo.comite-numerique.fr",
}
_missing_operator = [name for name in _OPERATOR_VARIABLES if not env.str(name, default="").strip()]
if PRODUCTION and _missing_operator:
    raise ImproperlyConfigured(
        "Production needs the operator's information for the legal pages: set "
        + ", ".join(_missing_operator)
        + "."
    )
PUBLICATION_DIRECTOR, HOSTING_PROVIDER, CONTACT_EMAIL, ACCESSIBILITY_CONTACT = (
    env.str(name, default="").strip() or default for name, default in _OPERATOR_VARIABLES.items()
)
# Contact form: messages accepted from one visitor (address or network) per hour.
CONTACT_MESSAGES_PER_HOUR = env.int("CONTACT_MESSAGES_PER_HOUR", default=5)
ACCESSIBILITY_STATUS = "non conforme"  # until an RGAA audit says otherwise
DEMO_ACCOUNTS_ENABLED = env.bool("DEMO_ACCOUNTS_ENABLED", default=not PRODUCTION)
# Reports ordered from /pilotage/rapports/: files kept this long, then deleted.
REPORT_TTL_HOURS = env.int("REPORT_TTL_HOURS", default=72)
# The weekly digest lists initiatives waiting for a decision longer than this.
REVIEW_WAITING_DAYS = env.int("REVIEW_WAITING_DAYS", default=14)
