"""`flask --app wsgi pactum …`: thin commands over the services."""

from __future__ import annotations

import getpass

import click
from flask.cli import AppGroup

from app.db import db
from app.errors import DomainError

pactum = AppGroup("pactum", help="Pactum administration commands.")


@pactum.command("create-secretariat")
@click.argument("email")
@click.option("--name", default="", help="Full name shown in the audit trail.")
@click.option("--password", default=None, help="Password (prompted for when omitted).")
def create_secretariat(email: str, name: str, password: str | None) -> None:
    """Create a secretariat account for EMAIL."""
    from app.accounts.services import create_secretariat as create

    if password is None:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Repeat: "):
            raise click.ClickException("The two passwords differ.")
    try:
        create(email, password, name)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Secretariat account created for {email}.")


@pactum.command("demo")
def demo() -> None:
    """Load the demo alliance (safe to run again: it loads only once)."""
    from app.demo import load_demo

    created = load_demo()
    db.session.commit()
    if created:
        click.echo("Demo data loaded.")
    else:
        click.echo("Demo data already present; nothing changed.")
    from app.demo import DEMO_LOGINS

    for role, email, password in DEMO_LOGINS:
        click.echo(f"  {role:<16} {email}  /  {password}")
