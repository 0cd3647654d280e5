"""Demo contribution schemes: the year's adopted model and a scenario to compare it with (nothing billed)."""

from datetime import date

from sqlalchemy import select

from crm.contributions import calculation, schemes
from crm.contributions.models import ContributionScheme, TenantSplit, TierBasis
from crm.extensions import db

EMPLOYEE_TIERS = (calculation.Tier(0, 10, 100_000), calculation.Tier(10, 50, 300_000),
                  calculation.Tier(50, 250, 800_000), calculation.Tier(250, None, 1_500_000))
AREA_TIERS = (calculation.Tier(0, 5_000, 150_000), calculation.Tier(5_000, 20_000, 500_000),
              calculation.Tier(20_000, None, 1_200_000))


def _values(year, name, basis, **values):
    return {"year": year, "name": name, "base_ore": 200_000, "tier_basis": basis, "split_plots": False,
            "owner_share_pct": 100, "tenant_split": TenantSplit.AREA, "minimum_ore": None, "maximum_ore": None,
            "vat": True, "prorate": True, "due_days": 30, "reminder_1_days": 14, "reminder_2_days": 28, **values}


def load_demo_schemes(year=None):
    """The year's adopted scheme (tiers by employees) and a scenario splitting plot tiers 50/50; the number made."""
    year = year or date.today().year
    if db_has_schemes(year):
        return 0
    adopted = schemes.save_scheme(ContributionScheme(),
                                  _values(year, "Model efter antal ansatte", TierBasis.EMPLOYEES), EMPLOYEE_TIERS)
    schemes.adopt(adopted)
    schemes.save_scheme(ContributionScheme(), _values(year, "Scenarie: grundejer og lejere deler", TierBasis.AREA,
                                                      split_plots=True, owner_share_pct=50,
                                                      maximum_ore=2_500_000), AREA_TIERS)
    return 2


def db_has_schemes(year):
    return db.session.scalar(select(ContributionScheme.id).where(ContributionScheme.year == year).limit(1)) is not None
