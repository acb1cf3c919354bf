"""Samordna settings: one module, read from the environment with safe local defaults.

Local defaults are embedded (SQLite, Celery's filesystem broker, e-mail written to files, the
keys for identity numbers, all under ``var/``). Production values come from the environment;
with ``DJANGO_ENV=production`` a missing secret key, missing identity-number keys or
``DEBUG=True`` refuses to start.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cases import identity_crypto
from coordination.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SAMORDNA_VAR_DIR", str(BASE_DIR / "var")) or BASE_DIR / "var")

DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be development, production or test, got {DJANGO_ENV!r}"
    )
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
SECRET_KEY = env_str("SECRET_KEY") or ""
if PRODUCTION:
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set in production.")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must not be true in production.")
elif not SECRET_KEY:
    SECRET_KEY = "local-development-only-not-a-secret"

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "core",
    "consent",
    "cases",
    "coordination",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.sessions.SessionTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "coordination.pages.twofactor.TwoFactorMiddleware",
    "cases.middleware.ViewerMiddleware",
    "coordination.deadlines.middleware.DeadlinesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so it sees the answer of a locked-out attempt and replaces it.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "coordination.urls"
WSGI_APPLICATION = "coordination.wsgi.application"

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
                "coordination.pages.context.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
_default_db = f"sqlite:///{VAR_DIR / 'samordna.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL") or _default_db
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # SQLite serialises writers; wait instead of failing when web, worker and beat overlap.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
else:
    # Sessions start in UTC, the zone Django reads and writes in: otherwise Django sets it on
    # every new connection (a statement and, outside autocommit, a commit).
    # random_page_cost: PostgreSQL's default (4) prices an index probe as a disk seek; on
    # SSDs with the working set in memory 1.1 is the usual figure. With 4 the planner hashes
    # all staff to join a page's periods to their responsible instead of probing the index.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _session = f"-c timezone=UTC -c random_page_cost={env_str('PG_RANDOM_PAGE_COST') or '1.1'}"
    _options["options"] = f"{_options.get('options', '')} {_session}".strip()
    # Server-side binding lets psycopg prepare a statement the sixth time it runs on a
    # connection; PostgreSQL then skips parsing and planning, which take longer than running
    # the caseload's, the inbox's and the timeline's queries (see docs/performance.md). Off
    # for a pooler that cannot keep prepared statements (PgBouncer in transaction mode before
    # 1.21).
    if env_bool("PG_PREPARED_STATEMENTS", True):
        _options["server_side_binding"] = True
        _options["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Checks nothing: a new password revokes the user's API tokens.
    {"NAME": "core.tokens.RevokeApiTokensOnPasswordChange"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out user or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "core.logins.LocalPasswordBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "landing"
LOGOUT_REDIRECT_URL = "login"
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous users see nothing.

# --- Log-in (docs/login.md) -----------------------------------------------------------------
# Local passwords are for development and a break-glass administrator. Off (the default in
# production), only the superusers named in LOCAL_PASSWORD_BREAK_GLASS_USERS may use one.
LOCAL_PASSWORD_LOGIN = env_bool("LOCAL_PASSWORD_LOGIN", default=not PRODUCTION)
LOCAL_PASSWORD_BREAK_GLASS_USERS = env_list("LOCAL_PASSWORD_BREAK_GLASS_USERS", [])
# A password log-in is finished by a TOTP code (django-otp): required in production; in
# development only for those who set up an authenticator.
LOCAL_PASSWORD_TOTP_REQUIRED = env_bool("LOCAL_PASSWORD_TOTP_REQUIRED", default=PRODUCTION)
OTP_TOTP_ISSUER = "Samordna"
# Lock-out (django-axes): this many failures within the cool-off lock out the username, and,
# counted apart, the address, on the log-in page, the admin and the API's token endpoint.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "coordination.pages.auth.locked_out"
# A log-in through an OpenID Connect provider is outside the lock-out (core/logins.py).
AXES_WHITELIST_CALLABLE = "core.logins.outside_lockout"
# The audit trail records every log-in (core/logins.py); axes' own log of them is not kept.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# The client's address: REMOTE_ADDR unless the proxy in front is named (the header it sets,
# e.g. HTTP_X_FORWARDED_FOR, and how many proxies there are); a header the client could set
# itself must not count.
AXES_IPWARE_META_PRECEDENCE_ORDER = tuple(env_list("LOGIN_CLIENT_ADDRESS_HEADERS", ["REMOTE_ADDR"]))
AXES_IPWARE_PROXY_COUNT = env_int("LOGIN_PROXY_COUNT", 0, minimum=0) or None
# Sessions end after this long without a request, and this long after the log-in however busy.
SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30, minimum=1)
SESSION_ABSOLUTE_TIMEOUT_HOURS = env_int("SESSION_ABSOLUTE_TIMEOUT_HOURS", 8, minimum=1)
# API tokens expire this long after they are made.
API_TOKEN_LIFETIME_HOURS = env_int("API_TOKEN_LIFETIME_HOURS", 24 * 30, minimum=1)
# Token requests per address (DRF's throttle, counted in the cache: with several processes a
# shared one, CACHE_URL=redis://…).
API_TOKEN_RATE = env_str("API_TOKEN_RATE", "10/min") or "10/min"
# A manager's invitation to work in a service (docs/staff.md): its link works once, until this
# long after it was sent.
STAFF_INVITATION_LIFETIME = datetime.timedelta(
    hours=env_int("STAFF_INVITATION_LIFETIME_HOURS", 24 * 7, minimum=1)
)
CACHE_URL = env_str("CACHE_URL") or ""
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://")):
        raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL, got {CACHE_URL!r}")
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norsk bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Development serves from the app folders (WhiteNoise's finders); production from collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- E-mail ---------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Samordna <ikke-svar@samordna.local>")
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "") or ""
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "") or ""
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://") or "filesystem://"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The worker's tasks wait on SMTP and the database: threads in one process do that in a fraction
# of the memory of a prefork pool (each forked process carries its own copy of Django).
CELERY_WORKER_POOL = env_str("CELERY_WORKER_POOL", "threads") or "threads"
CELERY_WORKER_CONCURRENCY = env_int("CELERY_WORKER_CONCURRENCY", 4, minimum=1)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    _processed_dir = VAR_DIR / "celery" / "processed"
    _control_dir = VAR_DIR / "celery" / "control"  # else kombu writes ./control/
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "control_folder": str(_control_dir),
        "store_processed": False,
    }
    for _folder in (_queue_dir, _processed_dir, _control_dir):
        _folder.mkdir(parents=True, exist_ok=True)
else:
    # Retries and countdowns stay well below this, so a task is never delivered twice by Redis.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60)
    }
# --- Deadlines and reminders ----------------------------------------------------------------
# Local policy (the law gives no day count): days to assign a fixed contact person (UG-2023) and
# to make a work-oriented offer to a youth under 20 referred by OT (UG-U20).
DEADLINE_UG_CONTACT_PERSON_DAYS = env_int("DEADLINE_UG_CONTACT_PERSON_DAYS", 14, minimum=1)
DEADLINE_UG_U20_OFFER_DAYS = env_int("DEADLINE_UG_U20_OFFER_DAYS", 30, minimum=1)
# Local policy (the law says only that the right ends at 18): calendar months before the 18th
# birthday by which a child coordinator's plan is offered to a coordinator for adults
# (CHILD-COORDINATOR-18). Six months leaves time for the municipality's coordinating unit
# (hol. § 7-3) to name one and for both to meet the family before the role ends.
DEADLINE_CHILD_COORDINATOR_HANDOVER_MONTHS = env_int(
    "DEADLINE_CHILD_COORDINATOR_HANDOVER_MONTHS", 6, minimum=1
)

# A guardians' consent stops counting when the youth consents alone for its category (consent
# ages, domain.md §7): the youth is asked this many days before (RECONSENT-18's due day).
CONSENT_RECONSENT_DAYS_BEFORE = env_int("CONSENT_RECONSENT_DAYS_BEFORE", 30, minimum=0)
# The coordinator's dashboard lists plans whose consent runs out within this many days.
PLAN_CONSENT_WARNING_DAYS = env_int("PLAN_CONSENT_WARNING_DAYS", 30, minimum=1)
# Reminder stages: days before the due day, and days after it when the managers are alerted.
REMINDER_BEFORE_DAYS = [int(d) for d in env_list("REMINDER_BEFORE_DAYS", ["7", "1"])]
REMINDER_ESCALATION_DAYS = env_int("REMINDER_ESCALATION_DAYS", 3, minimum=1)
# Reminders for a day go from this hour (Europe/Oslo); the daily digest goes at this hour.
REMINDER_SEND_HOUR = env_int("REMINDER_SEND_HOUR", 7, minimum=0)
# How often the beat claims due reminders, how many at most per run, and how long a claim holds
# before another run may take it over (a lost task delays a reminder by at most this).
REMINDER_DISPATCH_SECONDS = env_int("REMINDER_DISPATCH_SECONDS", 120, minimum=1)
# How often the worker derives the deadlines of youths whose facts changed outside a request.
DEADLINES_DERIVE_SECONDS = env_int("DEADLINES_DERIVE_SECONDS", 30, minimum=1)
REMINDER_BATCH_SIZE = env_int("REMINDER_BATCH_SIZE", 5000, minimum=1)
REMINDER_CLAIM_LEASE_SECONDS = env_int("REMINDER_CLAIM_LEASE_SECONDS", 600, minimum=5)
# Retries of a failed send back off from BASE, doubling, capped at MAX (below the visibility
# timeout, so Redis never hands a waiting task to a second worker).
REMINDER_RETRY_BASE_SECONDS = env_int("REMINDER_RETRY_BASE_SECONDS", 10, minimum=1)
REMINDER_RETRY_MAX_SECONDS = env_int("REMINDER_RETRY_MAX_SECONDS", 300, minimum=1)
# The health check reports "degraded" when a due reminder has waited longer than this.
REMINDER_HEALTH_MAX_AGE_SECONDS = env_int("REMINDER_HEALTH_MAX_AGE_SECONDS", 1800, minimum=60)
# Notices that something new waits (a message, a change to the plan): at most one per
# recipient and channel per NOTICE_BATCH_MINUTES, none from NOTICE_QUIET_FROM to NOTICE_QUIET_UNTIL
# o'clock (Europe/Oslo; one due then goes at NOTICE_QUIET_UNTIL). FROM 24 is no quiet evening,
# UNTIL 0 no quiet morning.
NOTICE_BATCH_MINUTES = env_int("NOTICE_BATCH_MINUTES", 15, minimum=1)
NOTICE_QUIET_FROM = env_int("NOTICE_QUIET_FROM", 22, minimum=0)
NOTICE_QUIET_UNTIL = env_int("NOTICE_QUIET_UNTIL", 7, minimum=0)
if not (0 <= NOTICE_QUIET_UNTIL <= NOTICE_QUIET_FROM <= 24 and NOTICE_QUIET_UNTIL <= 23):
    raise ImproperlyConfigured(
        "NOTICE_QUIET_UNTIL (0-23) must not be above NOTICE_QUIET_FROM (0-24)"
    )
# SMS: the gateway class; the file gateway (the default) writes each SMS to var/sms/, the LINK
# Mobility gateway posts it to SMS_GATEWAY_URL with basic auth.
SMS_GATEWAY = (
    env_str("SMS_GATEWAY", "coordination.reminders.sms.FileGateway")
    or "coordination.reminders.sms.FileGateway"
)
SMS_FILE_PATH = VAR_DIR / "sms"
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "") or ""
SMS_GATEWAY_USER = env_str("SMS_GATEWAY_USER", "") or ""
SMS_GATEWAY_PASSWORD = env_str("SMS_GATEWAY_PASSWORD", "") or ""
SMS_PLATFORM_ID = env_str("SMS_PLATFORM_ID", "COMMON_API") or "COMMON_API"
SMS_PLATFORM_PARTNER_ID = env_str("SMS_PLATFORM_PARTNER_ID", "") or ""
SMS_SENDER = env_str("SMS_SENDER", "Samordna") or "Samordna"
SMS_TIMEOUT = env_int("SMS_TIMEOUT", 10, minimum=1)
# Links in e-mails point here.
SITE_URL = env_str("SITE_URL", "http://localhost:8000") or "http://localhost:8000"
if REMINDER_SEND_HOUR > 23:
    raise ImproperlyConfigured("REMINDER_SEND_HOUR must be 0-23")
_visibility = CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
if isinstance(_visibility, int) and _visibility <= REMINDER_RETRY_MAX_SECONDS:
    raise ImproperlyConfigured("REMINDER_RETRY_MAX_SECONDS must be below CELERY_VISIBILITY_TIMEOUT")

# --- Retention (docs/retention.md: each rule with its source) --------------------------------
# A youth's follow-up record is kept this many years after the last of it closed (local policy:
# no law fixes the number for Samordna's copy; GDPR art. 5(1)(e) asks for no longer than needed).
RETENTION_FOLLOW_UP_YEARS = env_int("RETENTION_FOLLOW_UP_YEARS", 5, minimum=1)
# A consent (or refusal) is kept as proof (GDPR art. 7(1)) this many years after it ended: at
# least the limitation period of a claim over the processing (foreldelsesloven § 9: 3 years).
# The minimum is the law's (coordination.retention.rules.CONSENT_PROOF_MIN_YEARS).
RETENTION_CONSENT_PROOF_YEARS = env_int("RETENTION_CONSENT_PROOF_YEARS", 3, minimum=3)
# An entry deleted as made in error is purged this many days after its deletion (local policy:
# time to contest the deletion; GDPR art. 5(1)(d) and art. 17 ask for erasure without delay).
RETENTION_DELETED_ENTRY_DAYS = env_int("RETENTION_DELETED_ENTRY_DAYS", 90, minimum=1)
# Youths per transaction of the nightly run.
# A Min side user with no youth or guardian link left goes this long after its last log-in.
RETENTION_PORTAL_USER_DAYS = env_int("RETENTION_PORTAL_USER_DAYS", 30, minimum=1)
RETENTION_BATCH_SIZE = env_int("RETENTION_BATCH_SIZE", 200, minimum=1)

# Periodic work is declared here and nowhere else.
CELERY_BEAT_SCHEDULE = {
    "sessions-clear-expired": {
        "task": "coordination.tasks.sessions_clear_expired",
        "schedule": 60 * 60 * 24,
    },
    "reminders-dispatch": {
        "task": "coordination.tasks.reminders_dispatch",
        "schedule": REMINDER_DISPATCH_SECONDS,
    },
    "deadlines-derive-changed": {
        "task": "coordination.tasks.deadlines_derive_changed",
        "schedule": DEADLINES_DERIVE_SECONDS,
    },
    "deadlines-sweep": {
        "task": "coordination.tasks.deadlines_sweep",
        "schedule": crontab(hour=2, minute=15),
    },
    "access-log-seal": {
        "task": "coordination.tasks.access_log_seal",
        "schedule": 60,
    },
    # Hourly, so a day whose digest could not be sent yet (SMTP down, a long transaction holding
    # the sealer back) goes at the next run; the first run after midnight normally sends it.
    "access-log-digest": {
        "task": "coordination.tasks.access_log_digest",
        "schedule": crontab(minute=20),
    },
    # After the deadline sweep (02:15), so a deleted record's deadlines are not derived anew.
    "retention-purge": {
        "task": "coordination.tasks.retention_purge",
        "schedule": crontab(hour=3, minute=40),
    },
    # Months ahead of time (the partitions of the months to come), and months past retention
    # dropped at night, when the log is least read.
    "access-log-partitions": {
        "task": "coordination.tasks.access_log_partitions",
        "schedule": crontab(hour=1, minute=5),
    },
    "access-log-drop-expired": {
        "task": "coordination.tasks.access_log_drop_expired",
        "schedule": crontab(hour=3, minute=35),
    },
}

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # The first class answers an anonymous caller: Token asks for credentials (401 with
    # WWW-Authenticate), where Session, which has no such header, would answer 403. A session
    # caller still passes Session's CSRF check.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "cases.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "cases.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "cases.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "cases.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + ([] if PRODUCTION else ["rest_framework.renderers.BrowsableAPIRenderer"]),
    "DATE_INPUT_FORMATS": ["iso-8601"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_RATES": {"auth-token": API_TOKEN_RATE},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Samordna API",
    "DESCRIPTION": (
        "Samordnet oppfølging av ungdom på tvers av tjenester (NAV, OT, skole, helse, barnevern). "
        "Case coordination for cross-sector follow-up of young people."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "DEFAULT_GENERATOR_CLASS": "cases.api.schema.SchemaGenerator",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ServiceKindEnum": "cases.models.ServiceKind.choices",
        "StaffRoleEnum": "cases.models.StaffRole.choices",
        "CategoryEnum": "consent.categories.Category.choices",
        "ConsentMethodEnum": "consent.models.Method.choices",
        "ConsentDecisionEnum": "consent.models.Decision.choices",
        "ConsentAnswerEnum": "consent.models.ANSWERS",
        "EntryKindEnum": "cases.models.EntryKind.choices",
        "ThreadKindEnum": "cases.models.ThreadKind.choices",
        "ActivityStatusEnum": "cases.models.ActivityStatus.choices",
        "ActivityTypeEnum": "cases.models.ActivityType.choices",
        "DeadlineStatusEnum": "coordination.models.DeadlineStatus.choices",
        "ReferralStateEnum": "cases.models.ReferralState.choices",
        "HandoverStateEnum": "cases.models.HandoverState.choices",
        "HandoverKindEnum": "cases.models.HandoverKind.choices",
        "PlanKindEnum": "coordination.models.PlanKind.choices",
        "PlanStatusEnum": "coordination.models.PlanStatus.choices",
        "ParticipantKindEnum": "coordination.models.ParticipantKind.choices",
        "MeasureStatusEnum": "coordination.models.MeasureStatus.choices",
        "CloseReasonEnum": "coordination.models.CloseReason.choices",
    },
}

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 8, minimum=60)
# Content-Security-Policy (django-csp): our own files only, no inline scripts or styles, no
# framing. The API docs page (Swagger UI from the sidecar) loads its start script from a URL.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]

# --- Logging --------------------------------------------------------------------------------
# Every handler passes through the redaction filter: identity numbers never reach a log line.
# Django's own logging config gives "django" a console and an e-mail handler and "django.server"
# (runserver's request lines, query strings included) a handler that does not propagate; both
# are replaced here, so those lines pass the filter too. gunicorn's access log: gunicorn.conf.py.
_log_level = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_identity_numbers": {"()": "cases.logfilters.RedactIdentityNumbers"}},
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
            "filters": ["redact_identity_numbers"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_identity_numbers"],
        },
    },
    "root": {"handlers": ["console"], "level": _log_level},
    "loggers": {
        "django": {"handlers": [], "level": _log_level},  # to the root's console
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # WeasyPrint (the youth's copy as a PDF) reports each step of every document at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Samordna -------------------------------------------------------------------------------
# The models the reusable consent app and the audit trail point at (like AUTH_USER_MODEL).
AUDIT_SUBJECT_MODEL = "cases.Youth"
CONSENT_SUBJECT_MODEL = "cases.Youth"
CONSENT_PARTY_MODEL = "cases.Service"
CONSENT_PARTY_KIND_FIELD = "kind"
CONSENT_GUARDIAN_MODEL = "cases.Guardian"
# The age from which a youth consents to cross-sector sharing: 15 or 16, set per municipality
# (domain.md §7). Health always follows pasient- og brukerrettighetsloven § 4-3 (16).
# CONSENT_SUBJECT_AGE_BY_MUNICIPALITY="4003:16,4001:15" overrides the default for municipalities.
CONSENT_SUBJECT_AGE = env_int("CONSENT_SUBJECT_AGE", 15, minimum=15)
CONSENT_SUBJECT_AGE_BY_MUNICIPALITY: dict[str, int] = {}
for _pair in env_list("CONSENT_SUBJECT_AGE_BY_MUNICIPALITY", []):
    _number, _sep, _age = _pair.partition(":")
    if not (_number.isdigit() and len(_number) == 4 and _age in {"15", "16"}):
        raise ImproperlyConfigured(
            f"CONSENT_SUBJECT_AGE_BY_MUNICIPALITY wants kommunenummer:15|16, got {_pair!r}"
        )
    CONSENT_SUBJECT_AGE_BY_MUNICIPALITY[_number] = int(_age)
if CONSENT_SUBJECT_AGE not in {15, 16}:
    raise ImproperlyConfigured(f"CONSENT_SUBJECT_AGE must be 15 or 16, got {CONSENT_SUBJECT_AGE}")
# The access log's hash chain (consent/chain.py) seals rows written this long before the oldest
# open transaction: room for clocks that differ between the app's hosts and the database. A row
# whose time lies this far before the row sealed before it, or after now, is not sealed and is
# reported by `manage.py verify_access_log` as written into history.
ACCESS_LOG_SEAL_MARGIN_SECONDS = env_int("ACCESS_LOG_SEAL_MARGIN_SECONDS", 60, minimum=1)
# The access log's months (consent/partitions.py): partitions made this many months ahead, and
# months dropped whole once they lie entirely this many years back. Five years is a local
# policy, not a number the law fixes: see docs/access-log.md for the reasoning and sources.
ACCESS_LOG_PARTITIONS_AHEAD = env_int("ACCESS_LOG_PARTITIONS_AHEAD", 3, minimum=1)
ACCESS_LOG_RETENTION_YEARS = env_int("ACCESS_LOG_RETENTION_YEARS", 5, minimum=1)
# Local policy: how many working days a service has to answer a referral.
REFERRAL_RESPONSE_WORKING_DAYS = env_int("REFERRAL_RESPONSE_WORKING_DAYS", 10, minimum=1)
# Follow-up log entries may be edited in place by their author for this many hours.
FOLLOW_UP_ENTRY_EDIT_HOURS = 24
# Skatteetaten's synthetic test numbers (month + 80) are for test and demo, not real people.
SAMORDNA_ALLOW_SYNTHETIC_IDENTITY_NUMBERS = env_bool(
    "SAMORDNA_ALLOW_SYNTHETIC_IDENTITY_NUMBERS", default=not PRODUCTION
)
# Identity numbers are stored encrypted, found by a keyed blind index (docs/identity-numbers.md):
# "kid:base64key,kid:base64key", the first current, the others still opening what they sealed.
# Never in the repository: from the environment or a _FILE secret; locally, made on first run
# into var/.
SAMORDNA_IDENTITY_KEYS = env_str("SAMORDNA_IDENTITY_KEYS") or ""
SAMORDNA_IDENTITY_INDEX_KEY = env_str("SAMORDNA_IDENTITY_INDEX_KEY") or ""
if not (SAMORDNA_IDENTITY_KEYS and SAMORDNA_IDENTITY_INDEX_KEY):
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SAMORDNA_IDENTITY_KEYS and SAMORDNA_IDENTITY_INDEX_KEY (or their _FILE) must be set "
            "in production."
        )
    _local_keys = identity_crypto.development_keys(VAR_DIR / "identity-keys")
    SAMORDNA_IDENTITY_KEYS = SAMORDNA_IDENTITY_KEYS or _local_keys[0]
    SAMORDNA_IDENTITY_INDEX_KEY = SAMORDNA_IDENTITY_INDEX_KEY or _local_keys[1]
identity_crypto.check_keys(SAMORDNA_IDENTITY_KEYS, SAMORDNA_IDENTITY_INDEX_KEY)


# --- Log-in through OpenID Connect (cases/oidc.py, docs/login.md) ------------------------------
# Staff through the organisation's provider (OIDC_STAFF_*), youths and guardians through
# ID-porten (IDPORTEN_*). A client is on when its issuer is set; then its client id, secret
# (or <NAME>_FILE), authorization, token and JWKS endpoints must be set too. The end-session
# endpoint is optional (RP-initiated log-out when set).
def _oidc_client(prefix: str, **values: str | None) -> dict[str, str] | None:
    if not values["issuer"]:
        return None
    required = ("client_id", "client_secret", "authorization_endpoint", "token_endpoint")
    missing = [f"{prefix}_{key.upper()}" for key in (*required, "jwks_uri") if not values[key]]
    if missing:
        raise ImproperlyConfigured(f"{prefix}_ISSUER is set, so {', '.join(missing)} must be too.")
    return {key: value or "" for key, value in values.items()}


SAMORDNA_OIDC: dict[str, dict[str, str]] = {
    client: config
    for client, config in (
        (
            "staff",
            _oidc_client(
                "OIDC_STAFF",
                issuer=env_str("OIDC_STAFF_ISSUER"),
                client_id=env_str("OIDC_STAFF_CLIENT_ID"),
                client_secret=env_str("OIDC_STAFF_CLIENT_SECRET"),
                authorization_endpoint=env_str("OIDC_STAFF_AUTHORIZATION_ENDPOINT"),
                token_endpoint=env_str("OIDC_STAFF_TOKEN_ENDPOINT"),
                jwks_uri=env_str("OIDC_STAFF_JWKS_URI"),
                end_session_endpoint=env_str("OIDC_STAFF_END_SESSION_ENDPOINT"),
                scopes=env_str("OIDC_STAFF_SCOPES") or "openid",
            ),
        ),
        (
            "idporten",
            _oidc_client(
                "IDPORTEN",
                issuer=env_str("IDPORTEN_ISSUER"),
                client_id=env_str("IDPORTEN_CLIENT_ID"),
                client_secret=env_str("IDPORTEN_CLIENT_SECRET"),
                authorization_endpoint=env_str("IDPORTEN_AUTHORIZATION_ENDPOINT"),
                token_endpoint=env_str("IDPORTEN_TOKEN_ENDPOINT"),
                jwks_uri=env_str("IDPORTEN_JWKS_URI"),
                end_session_endpoint=env_str("IDPORTEN_END_SESSION_ENDPOINT"),
                scopes=env_str("IDPORTEN_SCOPES") or "openid profile",
            ),
        ),
    )
    if config is not None
}
# The staff client's backend also accepts a staff invitation kept in the session.
# Staff's ID token must carry an acr of these (sent as acr_values too) and an amr with one of
# these (Entra ID: mfa); empty, not checked.
OIDC_STAFF_ACR_VALUES = env_list("OIDC_STAFF_ACR_VALUES", [])
OIDC_STAFF_AMR_VALUES = env_list("OIDC_STAFF_AMR_VALUES", [])
# The providers' keys (JWKS) are kept this long, and fetched again at once for a key not kept.
OIDC_JWKS_CACHE_SECONDS = env_int("OIDC_JWKS_CACHE_SECONDS", 3600, minimum=1)
AUTHENTICATION_BACKENDS += [
    {
        "staff": "cases.invitations.StaffInvitationBackend",
        "idporten": "cases.oidc.IdportenBackend",
    }[client]
    for client in SAMORDNA_OIDC
]
# The log-out form's redirect to a provider's end-session endpoint is a form action.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += sorted(
    {
        "{0.scheme}://{0.netloc}".format(urlsplit(config["end_session_endpoint"]))
        for config in SAMORDNA_OIDC.values()
        if config["end_session_endpoint"]
    }
)
