"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""

import gc

from app import create_app

app = create_app()

# What the app built at start-up (modules, SQLAlchemy's mappers, compiled templates and
# routes: some 200,000 objects) lives as long as the process. Moved out of the collector's
# reach, a full collection no longer walks them all every few hundred requests (about 0.4 ms
# a request on average, in pauses of 50-100 ms that showed as the dashboard's p99; issue 20).
gc.collect()
gc.freeze()
