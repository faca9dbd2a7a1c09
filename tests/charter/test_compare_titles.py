"""A replaced title on the comparison page reads as two texts, not one glued word (issue 16:
"~~Old title~~New title" had no space or break between the deletion and the insertion)."""

from __future__ import annotations

import datetime as dt
import re

from app.charter import services
from tests.charter.builders import publish, publish_charter

HIDDEN = re.compile(r'<span class="visually-hidden">[^<]*</span>')
TAGS = re.compile(r"<[^>]+>")


def _visible(html: str) -> str:
    """The text a sighted reader sees (screen-reader-only labels removed)."""
    return TAGS.sub("", HIDDEN.sub("", html))


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def test_replaced_titles_are_separated(client, secretariat, db):
    publish_charter(
        secretariat,
        [("Protect users", "We protect.", "")],
        title="The Test Accord",
        effective=dt.date(2024, 1, 1),
    )
    draft = services.start_draft(secretariat)
    services.update_draft(
        secretariat, draft.id, title="Cyber Pact", preamble_md=draft.preamble_md, change_summary=""
    )
    text = draft.texts[0]
    services.update_principle(
        secretariat, draft.id, text.id, number=1, title="Defend everyone", body_md="We protect."
    )
    publish(secretariat, draft.id, dt.date(2024, 6, 1))
    db.session.commit()

    html = client.get("/charter/compare/1/2").get_data(as_text=True)
    title = _section(html, "change-title")
    assert re.search(r"</del> <ins>", title), title
    assert "The Test Accord Cyber Pact" in " ".join(_visible(title).split())
    principle = html[html.index('id="change-p1"') :]
    principle = principle[: principle.index("</section>")]
    assert re.search(r"</del> <ins>", principle)
    assert "Protect users Defend everyone" in " ".join(_visible(principle).split())


def test_a_word_inside_a_title_is_not_padded(client, secretariat, db):
    """Only a deletion met at once by an insertion gets the space; spaces the texts already
    have are kept as they are."""
    publish_charter(secretariat, [("Protect all users", "", "")], effective=dt.date(2024, 1, 1))
    draft = services.start_draft(secretariat)
    text = draft.texts[0]
    services.update_principle(
        secretariat, draft.id, text.id, number=1, title="Protect our users", body_md=""
    )
    publish(secretariat, draft.id, dt.date(2024, 6, 1))
    db.session.commit()
    html = client.get("/charter/compare/1/2").get_data(as_text=True)
    principle = html[html.index('id="change-p1"') :]
    principle = principle[: principle.index("</section>")]
    assert "Protect all our users" in " ".join(_visible(principle).split())
