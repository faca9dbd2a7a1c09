"""Who may fetch each charter page: the public side is public, drafting is the secretariat's."""

from app.charter import services
from tests.access import LOGIN, make_world, walk
from tests.charter.builders import publish_charter

PUBLIC = {"anon": 200, "rep_a": 200, "rep_b": 200, "sec": 200}
SECRETARIAT = {"anon": LOGIN, "rep_a": 403, "rep_b": 403, "sec": 200}
NOT_FOUND = dict.fromkeys(PUBLIC, 404)

ACCESS = {
    "charter.current": (lambda w: "/charter", PUBLIC),
    "charter.versions": (lambda w: "/charter/versions", PUBLIC),
    "charter.version": (lambda w: "/charter/v/1", PUBLIC),
    "charter.version_pdf": (lambda w: "/charter/v/1.pdf", PUBLIC),
    "charter.version_json": (lambda w: "/charter/v/2.json", PUBLIC),
    "charter.current_pdf": (lambda w: "/charter.pdf", PUBLIC),
    "charter.current_json": (lambda w: "/charter.json", PUBLIC),
    "charter.compare_pick": (lambda w: "/charter/compare", PUBLIC),
    "charter.compare": (lambda w: "/charter/compare/1/2", PUBLIC),
    "charter.admin_index": (lambda w: "/secretariat/charter", SECRETARIAT),
    "charter.admin_draft": (lambda w: f"/secretariat/charter/{w.draft.id}", SECRETARIAT),
    "charter.admin_preview": (lambda w: f"/secretariat/charter/{w.draft.id}/preview", SECRETARIAT),
    "charter.admin_preview_pdf": (
        lambda w: f"/secretariat/charter/{w.draft.id}/preview.pdf",
        SECRETARIAT,
    ),
    "charter.admin_publish_confirm": (
        lambda w: f"/secretariat/charter/{w.draft.id}/publish?effective_date=2030-01-01",
        SECRETARIAT,
    ),
    "charter.admin_import": (
        lambda w: f"/secretariat/charter/{w.draft.id}/import",
        SECRETARIAT,
    ),
    "charter.admin_principle_new": (
        lambda w: f"/secretariat/charter/{w.draft.id}/principles/new",
        SECRETARIAT,
    ),
    "charter.admin_translations": (
        lambda w: f"/secretariat/charter/{w.draft.id}/translations",
        SECRETARIAT,
    ),
    "charter.admin_translation": (
        lambda w: f"/secretariat/charter/{w.draft.id}/translations/fr",
        SECRETARIAT,
    ),
    "charter.admin_translation_po": (
        lambda w: f"/secretariat/charter/{w.draft.id}/translations/fr.po",
        SECRETARIAT,
    ),
    "charter.admin_translation_xliff": (
        lambda w: f"/secretariat/charter/{w.draft.id}/translations/fr.xlf",
        SECRETARIAT,
    ),
    "charter.admin_translation_import": (
        lambda w: f"/secretariat/charter/{w.draft.id}/translations/fr/import",
        SECRETARIAT,
    ),
    "charter.admin_principle_edit": (
        lambda w: f"/secretariat/charter/{w.draft.id}/principles/{w.draft.texts[0].id}",
        SECRETARIAT,
    ),
}

# Drafts are never public, whoever asks (the draft below is version 3).
DRAFT_IS_PRIVATE = {
    "draft page": (lambda w: "/charter/v/3", NOT_FOUND),
    "draft pdf": (lambda w: "/charter/v/3.pdf", NOT_FOUND),
    "draft json": (lambda w: "/charter/v/3.json", NOT_FOUND),
    "draft compared": (lambda w: "/charter/compare/2/3", NOT_FOUND),
    "draft in french": (lambda w: "/charter/v/3?lang=fr", NOT_FOUND),
    "draft french pdf": (lambda w: "/charter/v/3.pdf?lang=fr", NOT_FOUND),
}


def _world(db, secretariat, org_a, org_b, rep_a, rep_b):
    publish_charter(secretariat)
    publish_charter(secretariat, summary="Second version.")
    draft = services.start_draft(secretariat)
    db.session.commit()
    return make_world(secretariat, org_a, org_b, rep_a, rep_b, draft=draft)


def test_access(app, db, secretariat, org_a, org_b, rep_a, rep_b):
    walk(app, _world(db, secretariat, org_a, org_b, rep_a, rep_b), ACCESS)


def test_drafts_are_never_public(app, db, secretariat, org_a, org_b, rep_a, rep_b):
    walk(app, _world(db, secretariat, org_a, org_b, rep_a, rep_b), DRAFT_IS_PRIVATE)
