"""Open data API (filled in by issue 4)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
