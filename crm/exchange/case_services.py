"""Use cases of the green-transition cases, and the companies the yearly report counts from them. Services flush,
never commit.

The year's figures count companies, not cases (a company with two cases in a year counts once):
- advised: a case of green-transition advice that started in the year;
- screened: a waste and resource screening for symbiosis that started in the year;
- gone on: a case of any kind whose outcome is "went on with a new solution" and that ended in the year. An
  outcome is only set with an end date (the database holds to it), so the year a company went on is known even
  when the case began the year before.
"""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from crm.audit.services import diff, record
from crm.companies.models import ActivityKind, Company
from crm.companies.services import log_activity
from crm.exchange.case_models import CaseKind, CaseOutcome, CasePartner, GreenCase
from crm.extensions import db
from crm.i18n import day

#: What a case holds that staff set in its form.
CASE_FIELDS = ("kind", "partner_id", "contact_id", "started_on", "ended_on", "outcome", "note")

#: The timeline's words when a case is logged, changed or given its outcome, by kind and outcome: kept as
#: messages with their values (crm.companies.services.log_activity), so each reader sees them in their language.
CASE_LOGGED = {
    CaseKind.ADVICE: lambda v: _l("Rådgivning om grøn omstilling startet %(started)s. Partner: %(partner)s.", **v),
    CaseKind.SCREENING: lambda v: _l("Screening af affald og ressourcer for symbiose startet %(started)s. "
                                     "Partner: %(partner)s.", **v),
    CaseKind.ENERGY: lambda v: _l("Energiscreening startet %(started)s. Partner: %(partner)s.", **v),
    CaseKind.OTHER: lambda v: _l("Rådgivningsforløb startet %(started)s. Partner: %(partner)s.", **v),
}
CASE_CHANGED = {
    CaseKind.ADVICE: lambda v: _l("Rådgivningen om grøn omstilling fra %(started)s er ændret.", **v),
    CaseKind.SCREENING: lambda v: _l("Screeningen af affald og ressourcer fra %(started)s er ændret.", **v),
    CaseKind.ENERGY: lambda v: _l("Energiscreeningen fra %(started)s er ændret.", **v),
    CaseKind.OTHER: lambda v: _l("Rådgivningsforløbet fra %(started)s er ændret.", **v),
}
OUTCOME_SET = {
    CaseOutcome.WENT_ON: lambda v: _l("Forløbet fra %(started)s er afsluttet %(ended)s: virksomheden gik videre "
                                      "med en ny løsning.", **v),
    CaseOutcome.NOT_ON: lambda v: _l("Forløbet fra %(started)s er afsluttet %(ended)s: virksomheden gik ikke "
                                     "videre.", **v),
    CaseOutcome.OPEN: lambda v: _l("Forløbet fra %(started)s er åbent igen.", **v),
}


class PartnerNameTaken(ValueError):
    """Another partner has the name."""


# --- partners ---------------------------------------------------------------------------------------------------

def partners(*, active_only=False):
    """The partners by name, active ones first (or only those)."""
    statement = select(CasePartner).order_by(CasePartner.active.desc(), CasePartner.name)
    if active_only:
        statement = statement.where(CasePartner.active.is_(True))
    return db.session.scalars(statement).all()


def save_partner(name, active=True, partner=None, *, by=None):
    """Add a partner (partner None), rename one, retire it or take it in again."""
    other = db.session.scalars(select(CasePartner).where(CasePartner.name == name)).first()
    if other is not None and other is not partner:
        raise PartnerNameTaken(name)
    values = {"name": name, "active": active}
    if partner is None:
        partner = CasePartner(**values)
        db.session.add(partner)
        db.session.flush()
        record("case_partner.create", actor=by, obj=partner, changes=values)
        return partner
    changes = diff(partner, values)
    for key, value in values.items():
        setattr(partner, key, value)
    if changes:
        record("case_partner.update", actor=by, obj=partner, changes=changes)
    db.session.flush()
    return partner


# --- cases -------------------------------------------------------------------------------------------------------

def company_cases(company_id):
    """The company's cases, newest first, with partner and contact."""
    return db.session.scalars(
        select(GreenCase).where(GreenCase.company_id == company_id)
        .options(joinedload(GreenCase.partner), joinedload(GreenCase.contact))
        .order_by(GreenCase.started_on.desc(), GreenCase.id.desc())).all()


def find_cases(*, year=None, kind=None, partner_id=None, outcome=None):
    """Cases with their company, partner and contact, newest first: those running in the year (started by its
    end and not ended before it began), of a kind, with a partner, with an outcome."""
    statement = (select(GreenCase).join(Company)
                 .options(joinedload(GreenCase.company), joinedload(GreenCase.partner),
                          joinedload(GreenCase.contact))
                 .order_by(GreenCase.started_on.desc(), Company.name, GreenCase.id))
    if year is not None:
        statement = statement.where(GreenCase.started_on <= date(year, 12, 31),
                                    (GreenCase.ended_on.is_(None)) | (GreenCase.ended_on >= date(year, 1, 1)))
    if kind is not None:
        statement = statement.where(GreenCase.kind == kind)
    if partner_id is not None:
        statement = statement.where(GreenCase.partner_id == partner_id)
    if outcome is not None:
        statement = statement.where(GreenCase.outcome == outcome)
    return db.session.scalars(statement).all()


def _timeline_values(case):
    partner = db.session.get(CasePartner, case.partner_id) if case.partner_id else None
    return {"started": day(case.started_on), "ended": day(case.ended_on), "partner": partner.name if partner else "–"}


def save_case(company, values, case=None, *, by=None):
    """Log a case on the company (case None) or change one; values hold CASE_FIELDS. The company's timeline says
    that the case was logged, changed or given its outcome."""
    if case is None:
        case = GreenCase(company_id=company.id, created_by_id=getattr(by, "id", None), **values)
        db.session.add(case)
        db.session.flush()
        record("case.create", actor=by, obj=case, changes={key: str(value) for key, value in values.items()})
        log_activity(company.id, ActivityKind.NOTE, CASE_LOGGED[case.kind](_timeline_values(case)),
                     author=by, obj=case)
        if case.outcome != CaseOutcome.OPEN:
            _log_outcome(case, by)
        return case
    changes = diff(case, values)
    for key, value in values.items():
        setattr(case, key, value)
    db.session.flush()
    if not changes:  # saved as shown: nothing to log
        return case
    record("case.update", actor=by, obj=case, changes=changes)
    if set(changes) - {"outcome"}:
        log_activity(company.id, ActivityKind.CHANGE, CASE_CHANGED[case.kind](_timeline_values(case)),
                     author=by, obj=case)
    if "outcome" in changes:
        _log_outcome(case, by)
    return case


def _log_outcome(case, by):
    log_activity(case.company_id, ActivityKind.CHANGE, OUTCOME_SET[case.outcome](_timeline_values(case)),
                 author=by, obj=case)


# --- the year's companies, for the yearly report ------------------------------------------------------------------

def _started_in(kind, year):
    return select(GreenCase.company_id).where(GreenCase.kind == kind, GreenCase.started_on >= date(year, 1, 1),
                                              GreenCase.started_on <= date(year, 12, 31))


def advised(year):
    """SELECT of the ids of the companies advised on the green transition in the year (a case started in it)."""
    return _started_in(CaseKind.ADVICE, year)


def screened(year):
    """SELECT of the ids of the companies whose waste and resources were screened for symbiosis in the year."""
    return _started_in(CaseKind.SCREENING, year)


def gone_on(year):
    """SELECT of the ids of the companies that went on with a new solution after a case that ended in the year."""
    return select(GreenCase.company_id).where(GreenCase.outcome == CaseOutcome.WENT_ON,
                                              GreenCase.ended_on >= date(year, 1, 1),
                                              GreenCase.ended_on <= date(year, 12, 31))
