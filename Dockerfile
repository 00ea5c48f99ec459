# Invoicing Console: one image for web (gunicorn), Celery worker and Celery beat. See docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var

WORKDIR /app

# psycopg2-binary ships its own libpq, so no compiler or system libraries are needed.
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .

# Static files are part of the image, so its own CMD serves complete pages. Settings refuse to load without a
# real secret; this throw-away one exists only during this build step (no database or broker is contacted).
RUN DEBUG=0 \
    SECRET_KEY="build-only-collectstatic-$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    REDIS_URL=redis://build-only:6379/0 \
    python manage.py collectstatic --noinput -v 0

# An unprivileged user; it owns var/ (Celery beat schedule and heartbeat). Static files stay read-only.
RUN useradd --create-home --uid 1000 app \
    && mkdir -p /app/var \
    && chown -R app:app /app/var
USER app

EXPOSE 8000
CMD ["gunicorn", "invoicing_console.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
