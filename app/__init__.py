"""Pactum: a normative alliance's charter, signatories, yearly reports and transparency
reports. The application is made by `app.factory.create_app`.

Python runs this file before any module of the package, so it imports nothing: the PDF
engine's worker processes import `app.pdf…` modules without loading Flask and every
extension.
"""


def create_app(config: dict | None = None):
    """The Flask application (see `app.factory.create_app`)."""
    # Imported here, not at the top: importing the package must stay free of Flask.
    from app.factory import create_app as _create_app

    return _create_app(config)
