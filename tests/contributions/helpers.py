"""Shared set-up for the contribution tests: members with contacts, and an adopted scheme."""

from datetime import date

from crm.companies import services as company_services
from crm.contributions import calculation, schemes
from crm.contributions.models import ContributionScheme, TenantSplit, TierBasis

YEAR = 2031


def members(db, make_company, n=3, **values):
    """n member companies, each with a primary contact, 10 employees more than the one before."""
    companies = []
    for i in range(n):
        company = make_company(name=f"Bidragyder {i} A/S", status="member", employees=5 + 10 * i,
                               street="Stamholmen 1", postal_code="2650", city="Hvidovre", **values)
        company_services.add_contact(company, {"name": f"Bogholder {i}", "email": f"bogholder{i}@bidrag{i}.example",
                                               "is_primary": True})
        companies.append(company)
    db.session.commit()
    return companies


def a_scheme(db, *, year=YEAR, adopt=True, base_ore=200_000, **values):
    """A scheme with employee tiers 0-10: 1,000 kr., 10-50: 3,000 kr., 50+: 8,000 kr., VAT on."""
    fields = {"year": year, "name": f"Model {year}", "base_ore": base_ore, "tier_basis": TierBasis.EMPLOYEES,
              "split_plots": False, "owner_share_pct": 100, "tenant_split": TenantSplit.AREA, "minimum_ore": None,
              "maximum_ore": None, "vat": True, "prorate": True, "due_days": 30, "reminder_1_days": 14,
              "reminder_2_days": 28, **values}
    tiers = (calculation.Tier(0, 10, 100_000), calculation.Tier(10, 50, 300_000),
             calculation.Tier(50, None, 800_000))
    scheme = schemes.save_scheme(ContributionScheme(), fields, tiers)
    if adopt:
        schemes.adopt(scheme)
    db.session.commit()
    return scheme


def today_in(year, month=2, day=1):
    return date(year, month, day)
