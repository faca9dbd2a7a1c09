"""`flask pactum reindex`: rebuild the public search index from what the public may read."""

from __future__ import annotations

import click

from app.cli import pactum
from app.core.uow import unit_of_work
from app.transparency.opendata.indexing import reindex_all


@pactum.command("reindex")
def reindex() -> None:
    """Rebuild the search index (answers, pledges, principles)."""
    with unit_of_work():
        count = reindex_all()
    click.echo(f"Search index rebuilt: {count} entries.")
