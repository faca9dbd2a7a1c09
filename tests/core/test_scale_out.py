"""Several app servers: nothing one host needs from another lives on its local disk.

Two app instances stand for two hosts behind a load balancer. They share only what
docs/deploy.md says they share: the database, Redis (PACTUM_REDIS_URL) and the secret key.
Each has its own, separate instance folder. A representative logs in on one host and keeps
working on the other (signed-cookie sessions). A logo uploaded through one host is served by
the other from the database. The public profile that the other host had cached shows the
new logo at once, because the invalidation went through Redis. Neither host writes anything
to its instance folder.
"""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from app import create_app
from app.config import overrides_for_tests
from app.core.models import StoredFile
from app.db import db as _db
from app.members.models import Organisation
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_org, make_user
from tests.members import builders
from tests.members.test_profiles import edit_data, post_edit


@pytest.fixture
def hosts(database_url, redis_url, tmp_path):
    built = []
    for name in ("host-1", "host-2"):
        host = create_app(
            {**overrides_for_tests(database_url), "CACHE_BACKEND": "redis", "REDIS_URL": redis_url}
        )
        host.instance_path = str(tmp_path / name)  # its own disk, created empty
        (tmp_path / name).mkdir()
        built.append(host)
    yield built
    for host in built:
        with host.app_context():
            _db.session.remove()
            _db.engine.dispose()


def test_a_representative_moves_between_hosts_and_nothing_stays_on_a_host_disk(db, hosts, tmp_path):
    host_1, host_2 = hosts
    org = make_org(name="Roaming Org")
    make_user(role="representative", organisation=org, email="rep@roaming.example")
    db.session.commit()
    slug = org.slug

    # The public reads the profile on host 1; with the page cache on, it is stored there.
    public = host_1.test_client()
    assert public.get(f"/members/{slug}").status_code == 200
    assert public.get(f"/members/{slug}").headers["X-Pactum-Cache"] == "hit"
    assert f"/members/{slug}/logo" not in public.get(f"/members/{slug}").get_data(as_text=True)

    # The representative logs in on host 1 and carries on with host 2.
    rep_on_1 = host_1.test_client()
    response = rep_on_1.post(
        "/login",
        data={
            "email": "rep@roaming.example",
            "password": PASSWORD,
            "csrf_token": csrf_token(rep_on_1, "/login"),
        },
    )
    assert response.status_code == 302
    rep_on_2 = host_2.test_client()
    rep_on_2.set_cookie("session", rep_on_1.get_cookie("session").value, domain="localhost")
    dashboard = rep_on_2.get("/dashboard")
    assert dashboard.status_code == 200 and "Roaming Org" in dashboard.get_data(as_text=True)

    # A logo uploaded through host 2 (its CSRF token came from host 2's form)…
    png = builders.image_bytes("PNG", size=(300, 100))
    with host_2.app_context():
        organisation = _db.session.get(Organisation, org.id)
        assert (
            post_edit(
                rep_on_2, organisation, edit_data(organisation), logo=(png, "logo.png")
            ).status_code
            == 302
        )
        logo_sha = _db.session.get(Organisation, org.id).logo_sha256

    # …lives in the database, and host 1 shows it on the page it had cached.
    db.session.expire_all()
    stored = db.session.scalar(select(StoredFile).where(StoredFile.sha256 == logo_sha))
    assert stored is not None and hashlib.sha256(stored.data).hexdigest() == logo_sha
    profile = public.get(f"/members/{slug}")
    versioned = f"/members/{slug}/logo?v={logo_sha[:12]}"
    assert profile.headers["X-Pactum-Cache"] == "miss" and versioned in profile.get_data(
        as_text=True
    )
    logo = public.get(versioned)
    assert logo.status_code == 200 and logo.data == stored.data

    # Neither host wrote anything to its own disk.
    for name in ("host-1", "host-2"):
        assert list((tmp_path / name).rglob("*")) == [], name
