"""Secretariat review of submitted reports, extensions and exports (issue 5, part 2)."""

from flask import Blueprint

bp = Blueprint("review", __name__)
