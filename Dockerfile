# Production image: gunicorn (web) and Celery (worker, beat) run from the same image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=committee.settings

# gettext: compiles the translation catalogues at build time; Pango and a font: PDF reports.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN pip install ".[s3]"

COPY . .

# Catalogues and static files are built into the image. collectstatic needs settings that
# load in production mode (for the manifest storage) but no secret and no service: the
# values below exist only during this step and are never used at run time.
RUN if find . -name '*.po' -path '*/LC_MESSAGES/*' | grep -q .; then \
        python manage.py compilemessages -v 0; \
    fi \
    && DJANGO_ENV=production \
       SECRET_KEY=build-time-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz \
       ALLOWED_HOSTS=build.invalid \
       DATABASE_URL=postgres://build@build.invalid:5432/build \
       REDIS_URL=redis://build.invalid:6379/0 \
       PUBLICATION_DIRECTOR=build HOSTING_PROVIDER=build \
       CONTACT_EMAIL=build@build.invalid ACCESSIBILITY_CONTACT=build@build.invalid \
       python manage.py collectstatic --no-input -v 0 \
    && mkdir -p /app/media \
    && chown app:app /app/media

# The code belongs to root and is read-only for the process; only media/ is writable.
USER app
VOLUME ["/app/media"]
EXPOSE 8000

# Answers 200 when the database and Redis do; the Host header must be allowed.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD \
    python -c "import os, urllib.request as r; h = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); h = 'localhost' if h in ('', '*') else h; r.urlopen(r.Request('http://127.0.0.1:8000/healthz', headers={'Host': h}), timeout=4)"

CMD ["gunicorn", "committee.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--access-logfile", "-", "--worker-tmp-dir", "/dev/shm", "--timeout", "60"]
