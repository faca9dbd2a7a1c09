"""The demo's charter: two published versions (v2 rewords principle 5 and adds principle 10)
and a draft of version 3 in progress, all following the charter's rules."""

from app.charter import services
from app.charter.translations import services as translations
from app.demo import charter as demo


def test_demo_charter(db):
    secretariat = demo.seed_secretariat()
    v1, v2 = demo.seed(secretariat)
    assert (v1.number, v2.number) == (1, 2) and v1.is_published and v2.is_published
    assert services.current_version() == v2
    comparison = services.compare_versions(services.get_published(1), services.get_published(2))
    assert comparison.counts["added"] == 1 and comparison.counts["reworded"] == 1
    assert [c.key for c in comparison.changes if c.status != "unchanged"] == ["P5", "P10"]
    draft = services.draft_in_progress()
    assert draft.number == 3 and draft.based_on_id == v2.id
    assert services.publication_problems(draft) == []


def test_demo_charter_in_force_reads_entirely_in_french(client, db):
    secretariat = demo.seed_secretariat()
    v1, v2 = demo.seed(secretariat)
    for version in (v1, v2):
        assert translations.status_for(services.load_version(version.id), "fr").complete
    draft = services.draft_in_progress()
    outdated = translations.status_for(services.load_version(draft.id), "fr").outdated
    assert [e.source.key for e in outdated] == ["change_summary", "P8.body"]
    db.session.commit()
    body = client.get("/charter?lang=fr").get_data(as_text=True)
    assert "L’Accord cyber ouvert" in body and "translation-notice" not in body
    assert "Protect all users" not in body
