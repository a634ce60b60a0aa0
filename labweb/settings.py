"""LabWeb settings.

Everything that differs between installations comes from the environment (see docs/configuration.md).
Development defaults are safe and need no server: SQLite, a SQLite-file Celery broker, local bare git
repositories under ``var/``. ``LABWEB_ENV=production`` refuses to start without an explicit secret key.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from labweb.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
LABWEB_ENV = env_choice("LABWEB_ENV", "development", ("development", "production", "test"))
PRODUCTION = LABWEB_ENV == "production"

VAR_DIR = Path(env_str("LABWEB_VAR_DIR", str(BASE_DIR / "var"))).resolve()

_DEV_SECRET = "labweb-development-only-secret-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", None)
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("LABWEB_ENV=production needs SECRET_KEY (or SECRET_KEY_FILE).")
    SECRET_KEY = _DEV_SECRET
elif PRODUCTION and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters in production.")

DEBUG = env_bool("DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when LABWEB_ENV=production.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when LABWEB_ENV=production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "labweb",
    "taxonomy_app",
    "sdg_app",
    "training_app",
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
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "labweb.urls"
WSGI_APPLICATION = "labweb.wsgi.application"

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
                "labweb.context_processors.roles",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'labweb.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a worker writes; the busy timeout absorbs short write locks.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A contribution form names every question, answer and context; the form layer caps examples at 500 itself.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 6000

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "taxonomy:tree"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

# --- Git repositories -------------------------------------------------------------------------
TAXONOMY_REPO = Path(env_str("TAXONOMY_REPO", str(VAR_DIR / "repos" / "taxonomy.git")))
DOCUMENTS_REPO = Path(env_str("DOCUMENTS_REPO", str(VAR_DIR / "repos" / "documents.git")))
# The URL written into `document.repo` of knowledge qna.yaml files; empty means the file:// URL of DOCUMENTS_REPO.
DOCUMENTS_REPO_URL = env_str("DOCUMENTS_REPO_URL", "")
TAXONOMY_MAIN_BRANCH = env_str("TAXONOMY_MAIN_BRANCH", "main")
# How an approved submission reaches main when main moved on since its branch was written (docs/reviewing.md).
LABWEB_MERGE_STRATEGY = env_choice("LABWEB_MERGE_STRATEGY", "merge", ("merge", "fast-forward-only"))
# A URL people can open for a document in the documents repository; {path} and {commit} are filled in.
DOCUMENTS_BROWSE_URL = env_str("DOCUMENTS_BROWSE_URL", "")

# Knowledge documents a contributor names by repository: checked in the background with these caps.
DOCUMENTS_CLONE_TIMEOUT_S = env_int("DOCUMENTS_CLONE_TIMEOUT_S", 120, minimum=1)
DOCUMENTS_CLONE_MAX_BYTES = env_int("DOCUMENTS_CLONE_MAX_BYTES", 500 * 1024 * 1024, minimum=1024)
# Local paths and bundles as document sources: handy in development and tests, never in production.
DOCUMENTS_ALLOW_LOCAL_SOURCES = env_bool("DOCUMENTS_ALLOW_LOCAL_SOURCES", not PRODUCTION)

# --- Forge: where submissions are published besides LabWeb (docs/forges.md) -----------------------
LABWEB_FORGE = env_choice("LABWEB_FORGE", "builtin", ("builtin", "github"))
GITHUB_REMOTE_URL = env_str("GITHUB_REMOTE_URL", "")
GITHUB_REPO = env_str("GITHUB_REPO", "")
GITHUB_API_URL = env_str("GITHUB_API_URL", "https://api.github.com")
GITHUB_TOKEN = env_str("GITHUB_TOKEN", "")
GITHUB_BASE_BRANCH = env_str("GITHUB_BASE_BRANCH", "main")
GITHUB_HEAD_OWNER = env_str("GITHUB_HEAD_OWNER", "")
GITHUB_TIMEOUT = env_int("GITHUB_TIMEOUT", 30, minimum=1)
if LABWEB_FORGE == "github":
    _missing = [name for name in ("GITHUB_REMOTE_URL", "GITHUB_REPO", "GITHUB_TOKEN") if not globals()[name]]
    if _missing:
        raise ImproperlyConfigured(f"LABWEB_FORGE=github needs {', '.join(_missing)}.")

# --- Celery -----------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
CELERY_BROKER_URL = env_str(
    "CELERY_BROKER_URL", REDIS_URL or f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Longer than the longest job, so a slow job is not redelivered while it still runs. Only brokers with
# redelivery by timeout take it; the SQLAlchemy transport hands its options to create_engine().
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 12 * 3600)}
    if CELERY_BROKER_URL.startswith(("redis", "rediss", "sqs")) else {}
)
CELERY_TASK_ROUTES = {"sdg_app.tasks.*": {"queue": "gpu"}, "training_app.tasks.*": {"queue": "gpu"}}
# Run by `celery beat`. Recovery only touches submissions left half written for minutes, so a few minutes' period
# bounds how long a crashed submit stays invisible.
CELERY_BEAT_SCHEDULE = {
    "submissions-recover": {"task": "taxonomy_app.tasks.submissions_recover", "schedule": 300.0},
    # Reads back pull-request states from an external forge; returns at once with the built-in forge.
    "submissions-forge-sync": {"task": "taxonomy_app.tasks.submissions_forge_sync", "schedule": 600.0},
}

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "LabWeb API",
    "DESCRIPTION": "Browse and search the taxonomy, contribute, review, generate and train.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two choice sets are called `kind` (taxonomy nodes, contributions): each gets a name of its own.
    "ENUM_NAME_OVERRIDES": {"ContributionKindEnum": "taxonomy_app.models.ContributionKind",
                            "NodeKindEnum": "taxonomy_app.models.TaxonomyNode.Kind"},
}

# --- Email ------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "labweb@localhost")
# Links in emails point here.
LABWEB_BASE_URL = env_str("LABWEB_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Security (production) --------------------------------------------------------------------
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_choice("LOG_LEVEL", "info", ("debug", "info", "warning", "error")).upper()},
}
