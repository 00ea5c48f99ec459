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

# An unprivileged user; it owns var/ (Celery beat schedule) and staticfiles/ (collectstatic at start-up).
RUN useradd --create-home --uid 1000 app \
    && mkdir -p /app/var /app/staticfiles \
    && chown -R app:app /app/var /app/staticfiles
USER app

EXPOSE 8000
CMD ["gunicorn", "invoicing_console.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
