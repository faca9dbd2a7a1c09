"""Demo: the charter's published versions translated into French, so `/charter?lang=fr`
reads entirely in French (and the draft of version 3, copied from version 2, shows its
reworded principle 8 as an outdated translation)."""

from __future__ import annotations

from app.charter.models import CharterVersion
from app.charter.translations.entries import source_entries
from app.charter.translations.models import CharterTranslation
from app.db import db

# English source text -> its French translation.
FRENCH = {
    "The Open Cyber Accord": "L’Accord cyber ouvert",
    "First version of the charter.": "Première version de la charte.",
    "Principle 5 now sets time limits for fixes; new principle 10 on security by design.": (
        "Le principe 5 fixe désormais des délais de correction ; nouveau principe 10 sur la "
        "sécurité dès la conception."
    ),
    "Protect all users and customers": "Protéger tous les utilisateurs et clients",
    "Oppose attacks on innocent citizens": "S’opposer aux attaques contre des citoyens innocents",
    "Empower users to protect themselves": "Donner aux utilisateurs les moyens de se protéger",
    "Partner to improve collective security": "Coopérer pour la sécurité collective",
    "Disclose vulnerabilities responsibly": "Divulguer les vulnérabilités de façon responsable",
    "Secure the supply chain": "Sécuriser la chaîne d’approvisionnement",
    "Respect human rights online": "Respecter les droits humains en ligne",
    "Be transparent about government requests": (
        "Être transparent sur les demandes des gouvernements"
    ),
    "Report openly on our progress": "Rendre compte ouvertement de nos progrès",
    "Build security in by design": "Intégrer la sécurité dès la conception",
    "We will protect all our users and customers everywhere, whoever and wherever they are.": (
        "Nous protégerons partout tous nos utilisateurs et clients, qui qu’ils soient et où "
        "qu’ils se trouvent."
    ),
    "We will oppose cyberattacks on innocent citizens and enterprises from anywhere, and will "
    "not help any government launch such attacks.": (
        "Nous nous opposerons aux cyberattaques contre des citoyens et des entreprises "
        "innocents, d’où qu’elles viennent, et n’aiderons aucun gouvernement à lancer de "
        "telles attaques."
    ),
    "We will help users, customers and developers strengthen their protection, through "
    "information, tools and training.": (
        "Nous aiderons les utilisateurs, les clients et les développeurs à renforcer leur "
        "protection, par l’information, des outils et la formation."
    ),
    "We will work with each other and with like-minded groups to enhance cybersecurity, "
    "including by sharing threat information.": (
        "Nous travaillerons ensemble et avec les groupes qui partagent nos objectifs pour "
        "renforcer la cybersécurité, notamment en partageant des informations sur les menaces."
    ),
    "We will run coordinated vulnerability disclosure programmes and publish how to report a "
    "vulnerability to us.": (
        "Nous mènerons des programmes coordonnés de divulgation des vulnérabilités et "
        "publierons la façon de nous signaler une vulnérabilité."
    ),
    "We will run coordinated vulnerability disclosure programmes, publish how to report a "
    "vulnerability to us, and fix reported vulnerabilities within published time limits.": (
        "Nous mènerons des programmes coordonnés de divulgation des vulnérabilités, publierons "
        "la façon de nous signaler une vulnérabilité et corrigerons les vulnérabilités "
        "signalées dans des délais publiés."
    ),
    "We will know what our products are made of, and keep the components we ship patched for "
    "their whole supported life.": (
        "Nous saurons de quoi nos produits sont faits et maintiendrons à jour les composants "
        "que nous livrons pendant toute leur durée de support."
    ),
    "We will respect human rights, including privacy and freedom of expression, in everything "
    "we do to secure our services.": (
        "Nous respecterons les droits humains, dont la vie privée et la liberté d’expression, "
        "dans tout ce que nous faisons pour sécuriser nos services."
    ),
    "We will publish, at least once a year, how many requests for user data we received from "
    "governments and how we answered them.": (
        "Nous publierons, au moins une fois par an, le nombre de demandes de données "
        "d’utilisateurs reçues des gouvernements et la façon dont nous y avons répondu."
    ),
    "We will file a yearly report on each of these principles, and accept that the alliance "
    "publishes it.": (
        "Nous remettrons chaque année un rapport sur chacun de ces principes, et acceptons que "
        "l’alliance le publie."
    ),
    "We will design, develop and deliver products that are secure by default, and make secure "
    "configuration the easiest one.": (
        "Nous concevrons, développerons et livrerons des produits sûrs par défaut, et ferons de "
        "la configuration sûre la plus simple."
    ),
}

PREAMBLE_FR = """Nous, signataires de l’Accord cyber ouvert, pensons qu’un cyberespace ouvert,
libre, sûr et résilient est essentiel au bien-être économique et social de chacun, partout.

Nous nous engageons à respecter les principes ci-dessous, à **rendre compte chaque année** de
la façon dont nous les appliquons, et acceptons que nos rapports, nos engagements et notre
statut dans l’alliance soient publics."""


def translate(version: CharterVersion, preamble_en: str) -> None:
    """Every text of `version` in French (the version is not flushed yet: a published
    version's translations come with it or never)."""
    french = {**FRENCH, preamble_en: PREAMBLE_FR}
    for entry in source_entries(version):
        db.session.add(
            CharterTranslation(
                version=version,
                language="fr",
                key=entry.key,
                text=french[entry.text],
                source_hash=entry.hash,
            )
        )
