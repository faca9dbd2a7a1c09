"""Import every domain's models so SQLAlchemy and Alembic see the whole schema.

Only the app factory, Alembic's env.py and tests import this module.
"""

from app.accounts.mfa.models import RecoveryCode, SecondFactor  # noqa: F401
from app.accounts.models import User  # noqa: F401
from app.charter.models import CharterVersion, Principle, PrincipleText  # noqa: F401
from app.charter.translations.models import CharterTranslation  # noqa: F401
from app.core.models import AuditEvent, StoredFile  # noqa: F401
from app.mail.models import OutboxAttachment, OutboxMessage  # noqa: F401
from app.members.models import (  # noqa: F401
    Application,
    Endorsement,
    Organisation,
    OrganisationSlug,
    Pledge,
    PledgeUpdate,
    Sector,
    StatusChange,
)
from app.reporting.models import (  # noqa: F401
    Answer,
    DeadlineEvent,
    Evidence,
    Extension,
    Question,
    QuestionnaireTranslation,
    ReminderLog,
    Report,
    ReportEdit,
    ReportingCycle,
    ReportPledge,
    ReportVersion,
    ReviewComment,
    Section,
    SubmittedAnswer,
)
from app.transparency.models import AnnualReport, BuildJob, Edition, MemberReportPdf  # noqa: F401
from app.transparency.opendata.models import SearchEntry  # noqa: F401
