"""A representative sees who else represents their organisation (and nobody else's)."""

from __future__ import annotations

from tests.factories import make_user


def test_the_dashboard_lists_the_colleagues_of_the_organisation(
    client, login, db, org_a, org_b, rep_a, rep_b
):
    colleague = make_user(organisation=org_a, name="Grace Colleague", email="grace@a.example")
    make_user(organisation=org_a, name="Gone Person", email="gone@a.example", active=False)
    invited = make_user(organisation=org_a, name="New Person", email="new@a.example", password=None)
    db.session.commit()
    login(client, rep_a)
    body = client.get("/dashboard").get_data(as_text=True)
    assert f"Representatives of {org_a.name}" in body
    assert colleague.email in body and "Grace Colleague" in body
    assert invited.email in body and "invited, not yet signed in" in body
    assert "gone@a.example" not in body  # removed representatives are not listed
    assert rep_b.email not in body  # another organisation's people stay private
    assert "write to the secretariat" in body
