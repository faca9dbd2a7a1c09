"""Demo: the annual report of the last closed cycle, published (issue 6), so a visitor of
/reports finds a real PDF on the first run. Built synchronously, in this process."""

from __future__ import annotations

from app.core import languages as alliance
from app.transparency import services, translations

SUMMARY = "\n\n".join(
    [
        "In {year} the alliance kept growing, and most members reported on time on how they "
        "live up to the charter.",
        "* **Multi-factor authentication** is now the default for most members' customers.\n"
        "* A few members did not report: they are listed by name in this report, and the "
        "alliance follows up with each of them.\n"
        "* Members made new public pledges; the appendix lists every member's pledges and the "
        "answers they chose to make public.",
        "We thank the members' representatives and senior officers who filed and attested the "
        "reports.",
    ]
)


# The same texts in French (issue 18): the demo publishes a French edition too.
SUMMARY_FR = "\n\n".join(
    [
        "En {year}, l’alliance a continué de grandir, et la plupart des membres ont rendu à "
        "temps compte de la façon dont ils appliquent la charte.",
        "* **L’authentification à plusieurs facteurs** est désormais activée par défaut pour "
        "les clients de la plupart des membres.\n"
        "* Quelques membres n’ont pas rendu de rapport : ils sont nommés dans ce rapport, et "
        "l’alliance en assure le suivi avec chacun d’eux.\n"
        "* Les membres ont pris de nouveaux engagements publics ; l’annexe donne les "
        "engagements de chaque membre et les réponses qu’il a choisi de rendre publiques.",
        "Nous remercions les représentants des membres et les responsables qui ont déposé et "
        "attesté les rapports.",
    ]
)
METHODOLOGY_FR = (
    "Tous les chiffres sont calculés à partir des registres de l’alliance à la fin de "
    "{year}.\n\n"
    "* Les **membres** sont les organisations actives ou qui ne communiquent pas ; les "
    "membres suspendus sont comptés à part.\n"
    "* Une **adhésion** est une approbation pendant l’année ; un **départ** est un retrait "
    "ou une radiation pendant l’année.\n"
    "* Une organisation **devait rendre un rapport** lorsque sa catégorie faisait partie du "
    "cycle et qu’elle était membre pendant que le cycle était ouvert. Les rapports déposés "
    "après l’échéance (prolongation comprise) comptent comme **en retard**.\n"
    "* Les **indicateurs** agrègent la dernière version soumise par chaque membre. Les "
    "médianes et les quartiles suivent la méthode inclusive.\n"
    "* Les **engagements** sont les engagements publics des membres en fin d’année, dans "
    "l’état où ils étaient le 31 décembre."
)


def seed(secretariat, cycles) -> None:
    closed = [c for c in cycles or [] if getattr(c, "status", None) == "closed"]
    if not closed:
        return None  # no closed cycle in the demo (yet): nothing to publish
    cycle = max(closed, key=lambda c: c.year)
    report = services.annual_report(secretariat, cycle.year)
    report.executive_summary_md = SUMMARY.format(year=cycle.year)
    french = {
        "executive_summary": SUMMARY_FR.format(year=cycle.year),
        "methodology": METHODOLOGY_FR.format(year=cycle.year),
    }
    languages = [alliance.source_language()]
    if "fr" in alliance.translations():
        translations.save(secretariat, report, "fr", french)
        languages.append("fr")
    for language in languages:
        job, _created = services.request_build(
            secretariat, cycle.year, "publish", "First edition.", language
        )
        services.start_build(job.id)
        services.run_build(job.id, workers=0)
    return None
