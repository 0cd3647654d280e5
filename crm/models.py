"""Imports every area's models, so SQLAlchemy and Alembic see the whole schema."""

from crm.api.models import ApiToken  # noqa: F401
from crm.audit.access_models import AccessEntry  # noqa: F401
from crm.audit.models import AuditEntry, ErasureRequest  # noqa: F401
from crm.auth.models import (  # noqa: F401
    LoginAddress,
    LoginFailure,
    PasswordResetRequest,
    PasswordResetToken,
    PortalLogin,
    User,
)
from crm.companies.models import Activity, Company, CompanyImport, CompanyTag, Contact, Plot, Tenancy  # noqa: F401
from crm.contributions.models import (  # noqa: F401
    Contribution,
    ContributionAdjustment,
    ContributionScheme,
    ContributionTier,
    InvoiceSequence,
    Payment,
    ReminderHold,
)
from crm.contributions.statement_models import BankCsvMapping, BankStatement, BankTransaction  # noqa: F401
from crm.exchange.case_models import CasePartner, GreenCase  # noqa: F401
from crm.exchange.models import (  # noqa: F401
    Conversation,
    ExchangeCategory,
    ExchangeMailChoice,
    Listing,
    ListingPicture,
    Message,
    SavingsFactor,
)
from crm.groups.models import (  # noqa: F401
    GroupDocument,
    GroupMembership,
    Initiative,
    InitiativeFigure,
    MembershipRequest,
    WorkingGroup,
)
from crm.joining.models import JoinRequest  # noqa: F401
from crm.mail.models import Newsletter, OutboundAttachment, OutboundEmail  # noqa: F401
from crm.meetings.models import (  # noqa: F401
    ActionItem,
    AgendaItem,
    Attendance,
    CalendarFeed,
    Invitation,
    Meeting,
    MeetingAttachment,
)
from crm.partnership.models import AgreementVersion, Signature  # noqa: F401
from crm.reports.models import ReportGoal  # noqa: F401
