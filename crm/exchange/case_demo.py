"""Demo green-transition cases for `flask demo load`, telling the municipality's story for last year: 18 companies
advised on the green transition (the goal was 10), 7 screened for symbioses, of which 2 went on with new solutions;
a few cases the year before and this year so far. Deterministic: the same seed gives the same cases."""

from datetime import UTC, date, datetime, time, timedelta
from random import Random

from sqlalchemy import func, select

from crm.companies.models import ActivityKind, Company, CompanyStatus
from crm.companies.services import log_activity
from crm.exchange.case_models import CaseKind, CaseOutcome, CasePartner, GreenCase
from crm.exchange.case_services import CASE_LOGGED, OUTCOME_SET
from crm.extensions import db
from crm.i18n import day

#: (years before this one, kind, how many, outcomes in turn); outcomes set end the case within the year.
PLAN = (
    (2, CaseKind.ADVICE, 5, (CaseOutcome.WENT_ON, CaseOutcome.NOT_ON, CaseOutcome.NOT_ON)),
    (1, CaseKind.ADVICE, 18, (CaseOutcome.NOT_ON, CaseOutcome.OPEN, CaseOutcome.NOT_ON)),
    (1, CaseKind.SCREENING, 7, (CaseOutcome.WENT_ON, CaseOutcome.WENT_ON, CaseOutcome.NOT_ON,
                                CaseOutcome.NOT_ON, CaseOutcome.OPEN, CaseOutcome.OPEN, CaseOutcome.NOT_ON)),
    (1, CaseKind.ENERGY, 3, (CaseOutcome.OPEN,)),
    (0, CaseKind.ADVICE, 4, (CaseOutcome.OPEN,)),
    (0, CaseKind.SCREENING, 2, (CaseOutcome.OPEN,)),
)
NOTES = {
    CaseKind.ADVICE: ("Gennemgang af energiforbrug, transport og indkøb; handlingsplan aftalt.",
                      "Rådgivning om affaldssortering og genbrug af emballage.",
                      "Møde om CO₂-regnskab og grønne krav fra kunderne."),
    CaseKind.SCREENING: ("Affaldsprodukter gennemgået: træpaller og pap kan gå til naboen.",
                         "Overskudsvarme fra produktionen kan måske bruges af virksomheden ved siden af.",
                         "Metalspåner og plast kortlagt; to mulige aftagere på Holmen."),
    CaseKind.ENERGY: ("Energiscreening af lagerhal: LED og varmepumpe foreslået.",),
}


def load_demo_cases(seed=2024, today=None):
    """Cases on member companies (a company once per kind and year), with their timeline entries; nothing when
    cases exist. The number of cases added."""
    if db.session.scalar(select(func.count()).select_from(GreenCase)):
        return 0
    rng, today = Random(seed), today or date.today()
    members = db.session.scalars(select(Company.id).where(Company.status == CompanyStatus.MEMBER)
                                 .order_by(Company.id)).all()
    partners = db.session.scalars(select(CasePartner).where(CasePartner.active.is_(True))
                                  .order_by(CasePartner.id)).all()
    added = 0
    for years_back, kind, count, outcomes in PLAN:
        year = today.year - years_back
        last = today if years_back == 0 else date(year, 12, 31)
        for number, company_id in enumerate(rng.sample(members, min(count, len(members)))):
            started = date(year, 1, 1) + timedelta(days=rng.randint(0, max(0, (last - date(year, 1, 1)).days - 40)))
            outcome = outcomes[number % len(outcomes)]
            ended = None if outcome == CaseOutcome.OPEN else min(last, started + timedelta(days=rng.randint(20, 40)))
            partner = rng.choice([*partners, None]) if partners else None
            case = GreenCase(company_id=company_id, kind=kind, partner_id=partner.id if partner else None,
                             started_on=started, ended_on=ended, outcome=outcome,
                             note=rng.choice(NOTES.get(kind, ("",))))
            db.session.add(case)
            db.session.flush()
            values = {"started": day(started), "ended": day(ended), "partner": partner.name if partner else "–"}
            log_activity(company_id, ActivityKind.NOTE, CASE_LOGGED[kind](values), obj=case,
                         occurred_at=datetime.combine(started, time(10), UTC))
            if ended:
                log_activity(company_id, ActivityKind.CHANGE, OUTCOME_SET[outcome](values), obj=case,
                             occurred_at=datetime.combine(ended, time(14), UTC))
            added += 1
    db.session.flush()
    return added
