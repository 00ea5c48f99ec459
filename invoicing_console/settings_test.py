"""Test settings: always PostgreSQL and Redis, never SQLite."""

import os
import uuid

# Long enough for the production check in settings.py (the tests run without DEBUG, as production does).
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x9K2mQ7vL4pR8sT1wZ5yB3nC6dF0gH" * 2)
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/invoicing")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from .settings import *  # noqa: E402,F403
from .settings import CACHES, DATABASES, MIDDLEWARE  # noqa: E402

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise RuntimeError("The test suite runs on PostgreSQL only; set DATABASE_URL to a postgres:// URL.")

DATABASES["default"]["CONN_MAX_AGE"] = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Each run queues its Celery messages (sent after commits in transactional and browser tests) on a queue of its own
# and keeps its cache entries (throttle counts) under a prefix of its own; tests/conftest.py deletes both at the end:
# nothing is left in Redis, and two runs never see each other's messages or counts.
TEST_RUN_ID = f"test-invoicing-{os.getpid()}-{uuid.uuid4().hex[:8]}"
CELERY_TASK_DEFAULT_QUEUE = TEST_RUN_ID
CACHES = {**CACHES, "default": {**CACHES["default"], "KEY_PREFIX": TEST_RUN_ID}}
# The one test with a real worker (tests/invoices/test_notification_worker.py) needs no remote control; without it
# the worker leaves no broadcast bindings behind in Redis either.
CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tests serve no collected static files; WhiteNoise would only warn that staticfiles/ is missing.
MIDDLEWARE = [entry for entry in MIDDLEWARE if entry != "whitenoise.middleware.WhiteNoiseMiddleware"]
