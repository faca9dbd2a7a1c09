"""Charter versions and principles: drafting, publishing, reading and comparing.

Rules kept here (the views only parse and render):

* At most one draft exists at a time. It carries the number it will get when published.
  A new draft starts as a copy of the latest published version (the current one, or an
  upcoming one when a version has been published with a future effective date).
* A `Principle` is the identity of a principle across versions. A copied principle keeps
  its identity; a principle added to a draft gets a new identity with the next free key
  ("P<n>"); removing it from a draft retires it in that version.
* A published version never changes. Every mutating service loads the version with a row
  lock and refuses unless it is a draft; a flush-time guard (`_guard_published`) refuses
  any change that slips past, whatever the route.
* The current version is the published one in force: the highest number whose effective
  date is today or earlier. A published version with a later date is "upcoming".

Services take the acting user explicitly, flush, and never commit.

The operations live in `queries` (reading, comparing), `drafts` (drafting) and `publication`
(publishing, the immutability guard); this module is their public face.
"""

from __future__ import annotations

from app.charter.drafts import (  # noqa: F401  (the charter's services, one import path)
    MAX_NUMBER,
    add_principle,
    delete_draft,
    ensure_editable,
    move_principle,
    remove_principle,
    remove_principles,
    start_draft,
    update_draft,
    update_principle,
)
from app.charter.publication import (  # noqa: F401
    PublicationPreview,
    PublishedVersionChanged,
    fingerprint,
    publication_preview,
    publication_problems,
    publish,
)
from app.charter.queries import (  # noqa: F401
    MAX_VERSION_NUMBER,
    Timeline,
    all_versions,
    compare_versions,
    current_version,
    draft_in_progress,
    get_published,
    load_version,
    published_versions,
    records,
    timeline,
    versions_for_comparison,
)
