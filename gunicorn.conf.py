"""gunicorn's settings for the portal: read by `gunicorn` from the working directory (the
image's /app, the repository's root), whatever the command line adds.

The application is loaded once in the master (`preload_app`), which then builds the
catalogue's bitmaps (initiatives/catalogue/bitmaps.py) before the workers are forked: they
start with the index in memory pages they share, instead of each reading the whole catalogue
from PostgreSQL on its first request (seconds at 100,000 initiatives) and holding its own
copy. A failure there (database not ready) is logged; the workers then build it themselves.
"""

preload_app = True


def when_ready(server):
    from initiatives.catalogue.bitmaps import prebuild

    prebuild(log=server.log)
