"""The demo network over time: companies that joined and left in the last three years and this year so far.

The generated network (crm.companies.demo_generate) has its members join up to 2024 and a few leave at random
dates since; without this, the year report would show no new members in the recent years, and some years nobody
leaving. A few invited companies become members each year, and one to three members leave, with their dates.
Deterministic: the same seed and day give the same changes.
"""

from datetime import date, timedelta
from random import Random

from sqlalchemy import select, update

from crm.companies.models import Company, CompanyStatus
from crm.extensions import db

#: The generator's last join date; a later one means the history was loaded already.
GENERATED_JOINS_UNTIL = date(2024, 12, 31)
JOINS_PER_YEAR = (4, 8)
LEAVES_PER_YEAR = (1, 3)
YEARS_BACK = 3


def load_demo_joins(seed=2024, today=None):
    """Let a few invited companies join, and a few members leave, in each of the last three years and this year
    so far; the number joined (none when the history is there)."""
    today = today or date.today()
    later = select(Company.id).where(Company.joined_on > GENERATED_JOINS_UNTIL).limit(1)
    if db.session.scalar(later) is not None:
        return 0
    rng = Random(seed)
    invited = list(db.session.scalars(select(Company.id).where(Company.status == CompanyStatus.INVITED)
                                      .order_by(Company.id)))
    joined = 0
    for year in range(today.year - YEARS_BACK, today.year + 1):
        first = max(date(year, 1, 1), GENERATED_JOINS_UNTIL + timedelta(days=1))
        last = min(date(year, 12, 31), today)
        if last < first:
            continue
        for company_id in rng.sample(invited, min(len(invited), rng.randint(*JOINS_PER_YEAR))):
            invited.remove(company_id)
            day = first + timedelta(days=rng.randint(0, (last - first).days))
            db.session.execute(update(Company).where(Company.id == company_id)
                               .values(status=CompanyStatus.MEMBER, joined_on=day),
                               execution_options={"synchronize_session": False})
            joined += 1
    _leave(rng, today)
    db.session.flush()
    return joined


def _leave(rng, today):
    """One to three members that joined before 2025 leave in each of the recent years (not in the future)."""
    members = list(db.session.scalars(select(Company.id).where(Company.status == CompanyStatus.MEMBER,
                                                               Company.joined_on <= GENERATED_JOINS_UNTIL)
                                      .order_by(Company.id)))
    for year in range(today.year - YEARS_BACK, today.year + 1):
        last = min(date(year, 12, 31), today - timedelta(days=1))
        if last < date(year, 1, 1):
            continue
        for company_id in rng.sample(members, min(len(members), rng.randint(*LEAVES_PER_YEAR))):
            members.remove(company_id)
            day = date(year, 1, 1) + timedelta(days=rng.randint(0, (last - date(year, 1, 1)).days))
            db.session.execute(update(Company).where(Company.id == company_id)
                               .values(status=CompanyStatus.LEFT, left_on=day),
                               execution_options={"synchronize_session": False})
