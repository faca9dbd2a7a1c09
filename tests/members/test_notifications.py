"""The members and accounts services need no request: called from a command or a job (here:
an application context only), they send their events and `members/notifications.py` /
`accounts/notifications.py` write the mail, with links under PACTUM_SERVER_URL."""

from __future__ import annotations

import pytest
from flask import has_request_context

from app.errors import ValidationFailed
from app.members import services
from app.members.validation import OrganisationData


def _application(version) -> services.ApplicationData:
    return services.ApplicationData(
        organisation=OrganisationData(name="Quay Works", country="NL", category="company"),
        contact_name="Quinn Contact",
        contact_email="quinn@quay.example",
        contact_title="",
        motivation="",
        charter_version_id=version.id,
        signatory_name="Sam Signer",
        signatory_title="CEO",
        authorised_to_sign=True,
    )


def test_an_application_is_mailed_without_a_request(app, db, version, secretariat, mailbox):
    assert not has_request_context()
    application = services.submit_application(_application(version))
    db.session.commit()
    mailbox.wait(2)
    to_secretariat = mailbox.to(app.config["SECRETARIAT_EMAIL"])[0]
    assert f"{app.config['SERVER_URL']}/secretariat/applications/{application.id}" in mailbox.body(
        to_secretariat
    )
    assert "Quay Works" in to_secretariat["Subject"]
    assert mailbox.to("quinn@quay.example")
    mailbox.clear()

    services.approve_application(secretariat, application, "")
    db.session.commit()
    mailbox.wait(2)
    welcome, invitation = sorted(
        mailbox.to("quinn@quay.example"), key=lambda m: "/invitation/" in mailbox.body(m)
    )
    assert f"{app.config['SERVER_URL']}/members/quay-works" in mailbox.body(welcome)
    assert any(
        link.startswith(f"{app.config['SERVER_URL']}/invitation/")
        for link in mailbox.links(invitation)
    )


def test_a_refused_application_sends_nothing(db, version, mailbox):
    data = _application(version)
    data.authorised_to_sign = False
    with pytest.raises(ValidationFailed):
        services.submit_application(data)
    db.session.rollback()
    db.session.commit()
    assert mailbox.messages == []
