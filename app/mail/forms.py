from flask_wtf import FlaskForm


class RetryForm(FlaskForm):
    """The retry buttons: nothing to fill in but the CSRF token."""
