# Samordna server image: gunicorn for web, the same image for the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_ENV=production \
    SAMORDNA_VAR_DIR=/var/lib/samordna

# Pango (with HarfBuzz) and a font for WeasyPrint, which renders the youth's copy as a PDF.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends gettext libpango-1.0-0 libpangoft2-1.0-0 \
       fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv==0.13.9 \
    && useradd --system --create-home --home-dir /app samordna

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
# collectstatic needs settings but no secrets or database: build-time keys that are thrown away
# (the identity keys random, made in this step and kept nowhere).
RUN export SECRET_KEY=build-only \
        SAMORDNA_IDENTITY_KEYS="build:$(head -c 32 /dev/urandom | base64)" \
        SAMORDNA_IDENTITY_INDEX_KEY="build:$(head -c 32 /dev/urandom | base64)" \
    && python manage.py compilemessages --ignore=/opt/venv -v0 \
    && python manage.py collectstatic --noinput -v0 \
    && mkdir -p /var/lib/samordna && chown -R samordna /var/lib/samordna

USER samordna
EXPOSE 8000
# gunicorn.conf.py redacts identity numbers in gunicorn's access and error logs.
CMD ["gunicorn", "coordination.wsgi", "--config=gunicorn.conf.py", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
