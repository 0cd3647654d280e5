"""AccessEntry: one read of a person's data (who saw it, when, from where, through which page).

The log is append-only for the app: rows are added at the end of the request that read the data
(crm.audit.access) and leave only through the retention run (crm.audit.signals.delete_old_access_log). Two duties
of the register itself touch them: a merge points the rows of the duplicate at the survivor, and an erasure takes
the erased person's e-mail out of the rows where they were the reader (crm.audit.signals).
"""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import UTCDateTime, enum_type, utcnow
from crm.extensions import db


class AccessKind(enum.StrEnum):
    """What kind of reading it was."""

    CONTACT = "contact"  # one person's own page or form
    COMPANY_CONTACTS = "company_contacts"  # a company's page with its persons (staff page, the portal's own company)
    SEARCH = "search"  # a list or search whose answer names persons
    EXPORT = "export"  # a file with persons (company export, invitations, attendance)
    DATA_ZIP = "data_zip"  # a company's data ZIP
    OUTBOX_BODY = "outbox_body"  # a mail in the outbox, its text or HTML
    API = "api"  # a request of the read API


class AccessEntry(db.Model):
    """One person (or, with no person, one company or one mail) read in one request. A request that shows ten
    persons writes ten rows, all with the same time, reader and page, in one INSERT."""

    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_contact_id_at", "contact_id", "at"),
        Index("ix_access_log_company_id_at", "company_id", "at"),
        Index("ix_access_log_user_id_at", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: When the request that read the data ended (UTC); every row of one request has the same time.
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The reader's e-mail and role as they were at the time (kept when the user changes or is deleted).
    user_email: Mapped[str | None] = mapped_column(String(254))
    user_role: Mapped[str | None] = mapped_column(String(16))
    #: The client address as the app sees it (behind the proxy: the forwarded one, see PROXY_FIX_X_FOR).
    address: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[AccessKind] = mapped_column(enum_type(AccessKind, "access_kind"))
    #: The Flask endpoint ("companies.show") and the path without its query string ("/companies/12").
    endpoint: Mapped[str | None] = mapped_column(String(128))
    path: Mapped[str | None] = mapped_column(String(255))
    #: The person read, as an id only (no foreign key: the log outlives a removed contact and never cascades).
    contact_id: Mapped[int | None]
    #: The company read, or the person's company at the time; an id only, as contact_id.
    company_id: Mapped[int | None]
