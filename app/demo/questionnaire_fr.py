"""Demo: the open cycle's questionnaire translated into French, so a representative's
report in French reads in French (the charter's principle texts quoted in the section
introductions come from `charter_fr`)."""

from __future__ import annotations

from app.demo import charter_fr
from app.reporting import cycles
from app.reporting.translations import services
from app.reporting.translations.entries import source_entries

# English source text -> its French translation.
FRENCH = {
    "Is multi-factor authentication available to all your customers?": (
        "L’authentification multifacteur est-elle proposée à tous vos clients ?"
    ),
    "What share of customer accounts has multi-factor authentication on?": (
        "Quelle part des comptes clients a activé l’authentification multifacteur ?"
    ),
    "An estimate is fine; say how you measured it in the last section.": (
        "Une estimation suffit ; dites comment vous l’avez mesurée dans la dernière section."
    ),
    "Do you have a published policy against helping offensive cyber operations?": (
        "Avez-vous publié une politique refusant toute aide aux cyberopérations offensives ?"
    ),
    "How do you make sure your products are not used to attack civilians?": (
        "Comment vous assurez-vous que vos produits ne servent pas à attaquer des civils ?"
    ),
    "How many people outside your organisation did you train in cyber hygiene this year?": (
        "Combien de personnes extérieures à votre organisation avez-vous formées à "
        "l’hygiène numérique cette année ?"
    ),
    "people": "personnes",
    "Which kinds of guidance do you publish for users?": (
        "Quels types de conseils publiez-vous pour les utilisateurs ?"
    ),
    "Security advisories": "Avis de sécurité",
    "How-to guides": "Guides pratiques",
    "Training courses": "Formations",
    "Open-source tools": "Outils libres",
    "Do you share threat information with other members or with CERTs?": (
        "Partagez-vous des informations sur les menaces avec d’autres membres ou avec des CERT ?"
    ),
    "How often do you share threat information?": (
        "À quelle fréquence partagez-vous des informations sur les menaces ?"
    ),
    "Weekly or more": "Chaque semaine ou plus",
    "Monthly": "Chaque mois",
    "A few times a year": "Quelques fois par an",
    "Do you run a coordinated vulnerability disclosure programme?": (
        "Avez-vous un programme de divulgation coordonnée des vulnérabilités ?"
    ),
    "Where is your vulnerability disclosure policy published?": (
        "Où votre politique de divulgation des vulnérabilités est-elle publiée ?"
    ),
    "Median number of days from a vulnerability report to a fix": (
        "Nombre médian de jours entre le signalement d’une vulnérabilité et sa correction"
    ),
    "days": "jours",
    "For how many of your products do you keep a software bill of materials?": (
        "Pour combien de vos produits tenez-vous une nomenclature logicielle (SBOM) ?"
    ),
    "All": "Tous",
    "Most": "La plupart",
    "Some": "Certains",
    "None": "Aucun",
    "Have you assessed the human rights impact of your security work?": (
        "Avez-vous évalué l’effet de votre travail de sécurité sur les droits humains ?"
    ),
    "How do you balance security measures with privacy and freedom of expression?": (
        "Comment conciliez-vous les mesures de sécurité avec la vie privée et la liberté "
        "d’expression ?"
    ),
    "Do you publish a transparency report on government requests?": (
        "Publiez-vous un rapport de transparence sur les demandes des gouvernements ?"
    ),
    "How many government requests for user data did you receive?": (
        "Combien de demandes gouvernementales de données d’utilisateurs avez-vous reçues ?"
    ),
    "requests": "demandes",
    "Attach your latest security or transparency report (optional)": (
        "Joignez votre dernier rapport de sécurité ou de transparence (facultatif)"
    ),
    "When did your board last review your commitments under the charter?": (
        "Quand votre conseil d’administration a-t-il revu pour la dernière fois vos "
        "engagements au titre de la charte ?"
    ),
    "Are your products secure by default?": "Vos produits sont-ils sûrs par défaut ?",
    "Give an example of something you made secure by default this year.": (
        "Donnez un exemple de ce que vous avez rendu sûr par défaut cette année."
    ),
    "About your organisation": "À propos de votre organisation",
    "A few facts that help read the rest of the report.": (
        "Quelques faits qui aident à lire le reste du rapport."
    ),
    "How many people work on security in your organisation?": (
        "Combien de personnes travaillent sur la sécurité dans votre organisation ?"
    ),
    "Who is accountable for security at board level?": (
        "Qui répond de la sécurité au niveau du conseil d’administration ?"
    ),
    "The chief executive": "Le directeur général",
    "A dedicated board member": "Un administrateur désigné",
    "A board committee": "Un comité du conseil",
    "Nobody yet": "Personne pour l’instant",
    "Looking ahead": "Perspectives",
    "What will you focus on next year?": "Sur quoi porterez-vous vos efforts l’an prochain ?",
    "Who should the secretariat contact about this report?": (
        "Qui le secrétariat doit-il contacter au sujet de ce rapport ?"
    ),
    "%": "%",
}


def _french(text: str) -> str:
    """A section introduction quotes its principle ("> …"): the charter's French text."""
    if text in FRENCH:
        return FRENCH[text]
    if text.startswith("> ") and text[2:] in charter_fr.FRENCH:
        return "> " + charter_fr.FRENCH[text[2:]]
    raise KeyError(f"No French demo text for {text!r}")


def translate(secretariat, cycle) -> None:
    """Every text of the draft cycle's questionnaire in French."""
    entries = source_entries(cycles.load_questionnaire(cycle))
    services.save(secretariat, cycle, "fr", {e.key: _french(e.text) for e in entries})
