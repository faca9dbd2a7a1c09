"""The people who represent a member: listed, invited and removed by the secretariat (the
accounts themselves are `app.accounts`' business)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import Role, User
from app.accounts.services import deactivate_user, invite_representative
from app.db import db
from app.errors import Conflict, NotFound
from app.members.models import Organisation, Status
from app.members.validation import clean_text
from app.security import ensure_secretariat


def representatives(org: Organisation) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.organisation_id == org.id, User.role == Role.REPRESENTATIVE)
            .order_by(User.active.desc(), User.email)
        )
    )


def invite(
    actor: User | None, org: Organisation, email: str, name: str = "", job_title: str = ""
) -> User:
    ensure_secretariat(actor)
    if org.status in (Status.REJECTED,):
        raise Conflict(_("A rejected application has no representatives."))
    return invite_representative(actor, org, email, clean_text(name), clean_text(job_title))


def remove_representative(actor: User | None, org: Organisation, user_id: int) -> None:
    ensure_secretariat(actor)
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id != org.id or not user.is_representative:
        raise NotFound(_("This person does not represent %(org)s.", org=org.name))
    if not user.active:
        raise Conflict(_("%(email)s has already been removed.", email=user.email))
    deactivate_user(actor, user)
