"""`flask --app wsgi pactum …`: thin commands over the services."""

from __future__ import annotations

import datetime as dt
import getpass
import logging
from pathlib import Path

import click
import pyotp
from flask import current_app
from flask.cli import AppGroup

from app import clock
from app.accounts.mfa.services import factor_of
from app.accounts.services import create_secretariat as create
from app.accounts.services import find_user_by_email
from app.charter import notifications as charter_pdfs
from app.core.uow import unit_of_work
from app.db import db
from app.demo import DEMO_LOGINS, DEMO_TOTP_SECRET, SECRETARIAT_EMAIL, load_demo
from app.errors import DomainError
from app.mail.delivery import deliver_due_all
from app.mail.services import purge_sent
from app.members.directory.facets import rebuild as rebuild_facets
from app.ops.backup import BackupError, backup, restore
from app.reporting.deadlines import run_tick
from app.transparency.jobs import work
from app.transparency.opendata.indexing import reindex_all
from app.transparency.services import expire_stale_builds

pactum = AppGroup("pactum", help="Pactum administration commands.")


@pactum.command("create-secretariat")
@click.argument("email")
@click.option("--name", default="", help="Full name shown in the audit trail.")
@click.option("--password", default=None, help="Password (prompted for when omitted).")
def create_secretariat(email: str, name: str, password: str | None) -> None:
    """Create a secretariat account for EMAIL."""
    if password is None:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Repeat: "):
            raise click.ClickException("The two passwords differ.")
    try:
        with unit_of_work():
            create(email, password, name)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Secretariat account created for {email}.")


@pactum.command("demo")
def demo() -> None:
    """Load the demo alliance (safe to run again: it loads only once)."""
    # The demo lays out PDFs (the annual report, charters): WeasyPrint's and pikepdf's progress
    # lines would push the logins below off the screen.
    for name in ("weasyprint", "pikepdf", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)
    with unit_of_work():
        created = load_demo()
        if created:
            reindex_all()  # the search index, from the demo's accepted reports
    charter_pdfs.wait()  # the published versions' PDFs, laid out after the commit
    if created:
        click.echo("Demo data loaded.")
    else:
        click.echo("Demo data already present; nothing changed.")
    for role, email, password in DEMO_LOGINS:
        click.echo(f"  {role:<16} {email}  /  {password}")
    click.echo(
        f"  The secretariat's second factor: add the key {DEMO_TOTP_SECRET} to an "
        "authenticator app, or run `make demo-code` for the current code."
    )


@pactum.command("demo-code")
def demo_code() -> None:
    """Print the demo secretariat's current one-time code (the demo's published key only)."""
    user = find_user_by_email(SECRETARIAT_EMAIL)
    factor = factor_of(user) if user is not None else None
    if factor is None or factor.secret != DEMO_TOTP_SECRET:
        raise click.ClickException("No demo account with the demo's published key here.")
    click.echo(pyotp.TOTP(DEMO_TOTP_SECRET).now())


@pactum.command("tick")
@click.option(
    "--now",
    "now_text",
    default=None,
    metavar="DATE",
    help="Pretend it is this moment (YYYY-MM-DD or ISO date-time, UTC); for tests and catching up.",
)
def tick(now_text: str | None) -> None:
    """Apply the reporting deadline rules (reminders, non-communicating, delisting), then
    deliver the mail that is due.

    Safe to run as often as cron likes: a second run at the same moment changes nothing.
    """
    now = None
    if now_text:
        try:
            now = dt.datetime.fromisoformat(now_text)
        except ValueError as error:
            raise click.BadParameter(
                "use YYYY-MM-DD or an ISO date-time", param_hint="--now"
            ) from error
        if len(now_text) <= 10:
            now = now.replace(hour=12)
        now = now.replace(tzinfo=dt.UTC) if now.tzinfo is None else now.astimezone(dt.UTC)
        clock.freeze(now)
    try:
        with unit_of_work():
            summary = run_tick(now)
        with unit_of_work():
            purged = purge_sent()
        with unit_of_work():
            interrupted = expire_stale_builds()
        mail = deliver_due_all()
    except DomainError as error:
        raise click.ClickException(error.message) from error
    finally:
        if now is not None:
            clock.freeze(None)
    click.echo(f"pactum tick at {summary.now.isoformat(timespec='minutes')}")
    for line in summary.lines():
        click.echo(f"  {line}")
    click.echo(
        f"  mail: {mail.sent} sent, {mail.retrying} to retry, {mail.failed} failed"
        + (f", {purged} old sent messages forgotten" if purged else "")
    )
    if interrupted:
        click.echo(f"  builds: {interrupted} interrupted (silent too long), marked failed")


@pactum.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
def worker(burst: bool) -> None:
    """Run background jobs (annual report builds) from the Redis queue."""
    redis_url = current_app.config.get("REDIS_URL")
    if not redis_url:
        raise click.ClickException(
            "PACTUM_REDIS_URL is not set: without Redis, builds run in a thread of the app."
        )
    click.echo(f"Waiting for jobs on {redis_url} (queue 'pactum'). Ctrl-C to stop.")
    work(redis_url, burst=burst)


@pactum.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Write a consistent backup of the database to FILE, safe while the site runs."""
    try:
        manifest = backup(db.engine, file)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    rows = sum(manifest.tables.values())
    click.echo(
        f"Backup written to {file}: {len(manifest.tables)} tables, {rows} rows, "
        f"{len(manifest.files)} stored files."
    )


@pactum.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
def restore_command(file: Path) -> None:
    """Load the backup FILE into the configured database, which must be empty, and check
    every table's row count and every stored file's SHA-256 against the backup."""
    try:
        verification = restore(db.engine, file)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    for line in verification.lines():
        click.echo(line)
    if not verification.ok:
        raise click.ClickException("the restored database differs from the backup")


@pactum.command("rebuild-directory-counts")
def rebuild_directory_counts() -> None:
    """Recompute the directory's filter counts from the organisations (they are kept with
    every write through the app; this is for data loaded around it, such as a bulk import)."""
    with unit_of_work():
        rows = rebuild_facets(db.session.connection())
    click.echo(f"Directory counts rebuilt: {rows} rows.")
