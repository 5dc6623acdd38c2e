# One image for web (gunicorn), worker and beat (celery); docker-compose.yml picks the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# psycopg[binary] and the other wheels need no compiler, so the slim image is enough.
COPY . .
RUN pip install . \
    && useradd --system --create-home --uid 10001 physiodesk \
    && mkdir -p /app/media \
    && chown physiodesk /app /app/media

# Static files are collected at build time (whitenoise serves them). Settings refuse to load
# without a SECRET_KEY outside DEBUG, so give this one step a throwaway key.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

USER physiodesk
EXPOSE 8000

CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
