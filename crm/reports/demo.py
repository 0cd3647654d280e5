"""Demo portal use for `flask demo load`: portal users at about a quarter of the member companies and their logins
in each of the three years before this one and in this year so far, so the report's portal figures tell the story
(about 78 portal-active companies last year). Deterministic: the same seed gives the same logins."""

from datetime import UTC, datetime, timedelta
from random import Random

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm.auth.models import PortalLogin, User
from crm.auth.passwords import hash_password
from crm.companies.models import Company, CompanyStatus
from crm.extensions import db
from crm.reports.models import ReportGoal
from crm.reports.periods import current_year, year_bounds
from crm.security import Role

#: Companies given a portal user, and the share of them that log in during a given year.
PORTAL_COMPANIES = 95
ACTIVE_SHARE = 0.82


def load_demo_portal_use(seed=2024, now=None):
    """Portal users for member companies (their primary contacts) and their logins; nothing when logins exist.
    The number of logins added."""
    if db.session.scalar(select(func.count()).select_from(PortalLogin)):
        return 0
    rng, now = Random(seed), now or datetime.now(UTC)
    taken = set(db.session.scalars(select(User.email)))
    members = db.session.scalars(select(Company).where(Company.status == CompanyStatus.MEMBER).order_by(Company.id)
                                 .options(selectinload(Company.contacts))).all()
    chosen = [company for company in members if company.primary_contact and company.primary_contact.email
              and company.primary_contact.email not in taken]
    # One hash of a secret nobody knows: the demo's portal users cannot log in (the demo's own login can).
    unusable = hash_password(f"demo-{rng.random()}-{rng.random()}")
    logins, this_year = [], current_year(now)
    for company in rng.sample(chosen, min(PORTAL_COMPANIES, len(chosen))):
        contact = company.primary_contact
        created = now - timedelta(days=rng.randint(3 * 365 + 30, 5 * 365))
        user = User(email=contact.email, name=contact.name, role=Role.COMPANY, company_id=company.id,
                    contact_id=contact.id, password_hash=unusable, created_at=created)
        db.session.add(user)
        db.session.flush()
        for year in range(this_year - 3, this_year + 1):
            start, end = year_bounds(year)
            start, end = max(start, created), min(end, now)
            if end <= start or rng.random() > ACTIVE_SHARE:
                continue
            for _ in range(rng.randint(1, 12)):
                logins.append(PortalLogin(user_id=user.id, company_id=company.id,
                                          at=start + (end - start) * rng.random()))
        user.last_login_at = max((login.at for login in logins if login.user_id == user.id), default=None)
    db.session.add_all(logins)
    db.session.flush()
    return len(logins)


#: The strategy's goals for a year, as the municipality writes them: (text, figure, target, hand-entered result,
#: its source, narrative). The figures in the narrative are filled in from the CRM.
DEMO_GOALS = (
    ("Mindst 350 virksomheder får invitationer og referater", "invited", 350, None, "",
     "{invited} virksomheder på Avedøre Holme har modtaget invitationer og referater fra netværket."),
    ("Netværkets portal bruges af mindst 75 virksomheder", "portal_active", 75, None, "",
     "Netværkets fælles portal er brugt af {portal_active} aktive virksomheder."),
    ("10 netværksmøder om året", "network_meetings", 10, None, "",
     "Der er holdt {network_meetings} netværksmøder med {average_companies} virksomheder i gennemsnit."),
    ("Mindst 20 virksomheder pr. netværksmøde i gennemsnit", "average_companies", 20, None, "", ""),
    ("Mindst 10 virksomheder rådgives om grøn omstilling", "advised", 10, None, "",
     "{advised} virksomheder er rådgivet om grøn omstilling."),
    ("Virksomheders affaldsprodukter gennemgås for industrielle symbioser", "screened", 5, None, "",
     "{screened} virksomheder har fået deres affaldsprodukter gennemgået af en konsulent for at finde industrielle "
     "symbioser; {gone_on} er gået videre med nye løsninger efter et forløb."),
    ("Vild natur: flere arter end på græsplænen", None, 10, 105, "Optælling på 100 m² vild natur",
     "19 virksomheder og kommunen har udlagt 15 ha til vild natur; der er talt 105 arter mod 2 på græsplænen."),
)


def load_demo_goals(now=None):
    """The strategy's goals for last year and this year, unless the year has goals; the number added."""
    this_year, added = current_year(now or datetime.now(UTC)), 0
    for year in (this_year - 1, this_year):
        if db.session.scalar(select(func.count()).select_from(ReportGoal).where(ReportGoal.year == year)):
            continue
        for text, figure, target, result, source, narrative in DEMO_GOALS:
            db.session.add(ReportGoal(year=year, text=text, figure=figure, target=target, manual_result=result,
                                      manual_source=source, narrative=narrative))
            added += 1
    db.session.flush()
    return added
