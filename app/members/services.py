"""The members domain's services, one import away: organisations and their data, statuses,
applications, endorsements, sectors, representatives, pledges and the reading side.

Each job lives in its own module (below); this module only gathers their public names so
`from app.members import services; services.change_status(...)` keeps working for the
views, the API and the other domains (reporting changes statuses and records pledge
progress). New code may import from the module that does the job.

Services take the acting user explicitly (None for an anonymous visitor or an automatic
rule), check authorisation with `app.security`, raise `DomainError`s with a message for
the field concerned, flush, and never commit.
"""

from __future__ import annotations

from app.members.applications import (
    ApplicationData,
    applications_queue,
    approve_application,
    get_application,
    reject_application,
    submit_application,
)
from app.members.endorsements import (
    ENDORSING_STATUSES,
    endorse,
    endorsement_due,
    latest_published_version,
    record_endorsement,
    representatives_to_ask,
)
from app.members.organisations import (
    MovedTo,
    can_view,
    create_organisation,
    get_by_slug,
    get_manageable,
    get_visible,
    moved_to,
    organisation_choices,
    remove_logo,
    set_logo,
    update_organisation,
)
from app.members.pledges import add_pledge_update
from app.members.profiles import (
    Profile,
    admin_list,
    load_profile,
    new_signatories,
    principle_labels,
    public_reports,
    status_counts,
)
from app.members.representatives import invite, remove_representative, representatives
from app.members.sectors import (
    create_sector,
    delete_sector,
    get_sector,
    rename_sector,
    sectors_with_counts,
)
from app.members.slugs import retired_slugs, slugify, unique_slug
from app.members.statuses import (
    PUBLIC_REASON_REQUIRED,
    PUBLIC_STATUSES,
    TRANSITIONS,
    allowed_transitions,
    change_status,
    secretariat_change_status,
)
from app.members.validation import (
    NAME_MAX,
    URL_MAX,
    OrganisationData,
    clean_text,
    country_choices,
    name_key,
    normalise_website,
    validate_country,
)

__all__ = [
    "ENDORSING_STATUSES",
    "NAME_MAX",
    "PUBLIC_REASON_REQUIRED",
    "PUBLIC_STATUSES",
    "TRANSITIONS",
    "URL_MAX",
    "ApplicationData",
    "OrganisationData",
    "Profile",
    "add_pledge_update",
    "admin_list",
    "allowed_transitions",
    "applications_queue",
    "approve_application",
    "can_view",
    "change_status",
    "clean_text",
    "country_choices",
    "create_organisation",
    "create_sector",
    "delete_sector",
    "endorse",
    "endorsement_due",
    "get_application",
    "get_by_slug",
    "get_manageable",
    "get_sector",
    "get_visible",
    "invite",
    "latest_published_version",
    "MovedTo",
    "load_profile",
    "moved_to",
    "name_key",
    "new_signatories",
    "normalise_website",
    "organisation_choices",
    "principle_labels",
    "public_reports",
    "record_endorsement",
    "reject_application",
    "remove_logo",
    "remove_representative",
    "rename_sector",
    "representatives",
    "retired_slugs",
    "representatives_to_ask",
    "secretariat_change_status",
    "sectors_with_counts",
    "set_logo",
    "slugify",
    "status_counts",
    "submit_application",
    "unique_slug",
    "update_organisation",
    "validate_country",
]
