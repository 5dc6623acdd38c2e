"""Settings for the test suite: the real settings plus test-only speed-ups.

The database follows DATABASE_URL like everywhere else, so the same suite runs on SQLite
(nothing set) and on PostgreSQL (DATABASE_URL=postgres://...).
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests call tasks directly or through a real worker; nothing runs eagerly behind their back.
CELERY_TASK_ALWAYS_EAGER = False
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# The suite makes many requests from one address in a minute: rate limits far above what it
# makes, so no test is throttled by accident (tests/accounts/test_rate_limits.py lowers one).
REST_FRAMEWORK = {  # noqa: F405
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {
        scope: "100000/minute"
        for scope in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]  # noqa: F405
    },
}
