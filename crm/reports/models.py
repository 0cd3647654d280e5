"""The year's goals, as the municipality's strategy sets them ("Mål for 2025")."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import UTCDateTime, utcnow
from crm.extensions import db


class ReportGoal(db.Model):
    """A goal for a year: a text, and where it fits a target number tied to one of the report's figures (or a
    result entered by hand with its source, such as species counted); the narrative the report prints with it."""

    __tablename__ = "report_goals"
    __table_args__ = (Index("ix_report_goals_year", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    #: The key of a figure of the report (crm.reports.figures.FIGURES), or None for a result entered by hand.
    figure: Mapped[str | None] = mapped_column(String(50))
    target: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    #: A result the CRM cannot count, entered by hand, and where it comes from.
    manual_result: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    manual_source: Mapped[str] = mapped_column(String(300), default="")
    #: Staff's text for the report; {figure_key} is replaced by the figure's value of the year.
    narrative: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
