"""The members domain: organisations, their status, applications, endorsements of the
charter, sectors, representatives and pledges; the public directory and open data.

Services, one module per job (each flushes, never commits; the request's unit of work or
`unit_of_work()` commits): `validation` (what people type about an organisation),
`statuses` (the lifecycle, also driven by reporting's deadline rules), `slugs` (the
generator; old slugs kept after a rename, never given to another), `organisations`,
`applications`, `endorsements`, `sectors`, `representatives`, `pledges`, `profiles` (the
reading side), `uploads` (logos) and the `directory/` package (filters, SQL, pages).
`services` gathers their public names for the views, the API and the other domains.

Edge modules (they may use the request): `blueprint` + `views` (public pages),
`manage_views` (acting for one organisation), `admin_views` (the secretariat), `feeds`
(CSV, Atom), `api` + `openapi`, `panels` (dashboard), `notifications` (mail, from the
events in `signals` and `app.core.signals`), `slug_views` (an app-wide hook: any GET naming
an organisation's old `<slug>` that would be a 404, in any domain, answers 301).

Imports go one way: members -> accounts (models, services), charter, reporting.models and
core. Charter and core never import members; accounts' views use members' services, and
accounts' models name `Organisation` for type checking only.
"""
