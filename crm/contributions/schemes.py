"""Schemes and scenarios: the facts they are calculated on, saving, copying, adjusting and adopting them."""

from collections import defaultdict
from datetime import date

from sqlalchemy import Float, String, case, cast, or_, select, type_coerce, update

from crm.audit.services import record
from crm.companies.models import Company, CompanyStatus, Plot, Tenancy
from crm.contributions import calculation
from crm.contributions.models import (
    AdjustmentKind,
    ContributionAdjustment,
    ContributionScheme,
    ContributionTier,
    InvoiceSequence,
    TierBasis,
    UnpaidShare,
)
from crm.contributions.notifications import invoice_lines
from crm.db import utcnow
from crm.extensions import db

SCHEME_FIELDS = ("year", "name", "base_ore", "tier_basis", "split_plots", "owner_share_pct", "tenant_split",
                 "unpaid_share", "minimum_ore", "maximum_ore", "vat", "prorate", "due_days", "reminder_1_days",
                 "reminder_2_days", "proposed")
#: Fields a caller may leave out (added after the first schemes were made; their value then is the old behaviour).
SCHEME_DEFAULTS = {"unpaid_share": UnpaidShare.REDISTRIBUTE, "proposed": False}


def rules_of(scheme):
    """The scheme as the calculation reads it."""
    return calculation.Rules(
        base_ore=scheme.base_ore, basis=str(scheme.tier_basis),
        tiers=tuple(calculation.Tier(tier.lower, tier.upper, tier.amount_ore) for tier in scheme.tiers),
        split_plots=scheme.split_plots and scheme.tier_basis == TierBasis.AREA,
        owner_share_pct=scheme.owner_share_pct, tenant_split=str(scheme.tenant_split),
        unpaid_share=str(scheme.unpaid_share),
        minimum_ore=scheme.minimum_ore, maximum_ore=scheme.maximum_ore, vat=scheme.vat, prorate=scheme.prorate,
        discounts={adjustment.company_id: adjustment.percent for adjustment in scheme.adjustments},
    )


def payers(year):
    """The companies that pay for the year: members who had joined by its end and whose membership (after a notice)
    had not ended before it began, by name. Read as plain values
    (no enum or date conversion but for the few who joined this year): 39,400 companies in a fraction of a second.
    """
    joined_this_year = case((Company.joined_on >= date(year, 1, 1), Company.joined_on))  # only these prorate
    rows = db.session.execute(
        select(Company.id, type_coerce(Company.role, String), Company.employees, cast(Company.area_m2, Float),
               joined_this_year)
        .where(Company.status == CompanyStatus.MEMBER,
               or_(Company.joined_on.is_(None), Company.joined_on <= date(year, 12, 31)),
               or_(Company.left_on.is_(None), Company.left_on >= date(year, 1, 1)))
        .order_by(Company.name, Company.id)
    ).all()
    return [calculation.CompanyFacts(id_, role, employees, area, joined_on)
            for id_, role, employees, area, joined_on in rows]


def plots_of_year(year):
    """Plots with an area, their owner and the tenants (with their areas) whose tenancy overlaps the year."""
    tenants, tenant_areas = defaultdict(list), defaultdict(list)
    for plot_id, company_id, area in db.session.execute(
        select(Tenancy.plot_id, Tenancy.company_id, cast(Company.area_m2, Float))
        .join(Company, Company.id == Tenancy.company_id)
        .where(or_(Tenancy.from_date.is_(None), Tenancy.from_date <= date(year, 12, 31)),
               or_(Tenancy.to_date.is_(None), Tenancy.to_date >= date(year, 1, 1)))
    ):
        tenants[plot_id].append(company_id)
        tenant_areas[plot_id].append(area)
    return [calculation.PlotFacts(area, owner_id, tuple(tenants[plot_id]), tuple(tenant_areas[plot_id]))
            for plot_id, area, owner_id in db.session.execute(
                select(Plot.id, cast(Plot.area_m2, Float), Plot.owner_id).where(Plot.area_m2.is_not(None)))]


def tier_key(scheme, index):
    """The band an amount fell in, as stored on its contribution and shown in exports ("" without tiers)."""
    if index is None:
        return ""
    tier = scheme.tiers[index]
    return calculation.Tier(tier.lower, tier.upper, tier.amount_ore).key


def calculate(scheme, companies=None):
    """Every paying company's amount under the scheme (companies: payers(), when already read)."""
    companies = payers(scheme.year) if companies is None else companies
    plots = plots_of_year(scheme.year) if scheme.split_plots and scheme.tier_basis == TierBasis.AREA else ()
    return calculation.calculate(rules_of(scheme), companies, plots, year=scheme.year)


def amount_if_paying(scheme, company, joined_on=None):
    """The company's amount under the scheme were it a paying member from joined_on (None: all year), with the
    reasons as the invoice lists them: what billing would make, by the very same calculation over the same payers.
    (calculation.Amount, invoice lines)."""
    year = scheme.year
    joined = joined_on if joined_on and joined_on >= date(year, 1, 1) else None  # as payers() reads it
    facts = calculation.CompanyFacts(company.id, str(company.role), company.employees,
                                     float(company.area_m2) if company.area_m2 is not None else None, joined)
    companies = [payer for payer in payers(year) if payer.id != company.id] + [facts]
    amount = next(amount for amount in calculate(scheme, companies) if amount.company_id == company.id)
    adjustment = next((row for row in scheme.adjustments if row.company_id == company.id), None)
    return amount, invoice_lines(scheme, amount, adjustment)


def proposed_or_active(year):
    """The scheme the portal shows for the year: the adopted one, else the latest one published as proposed."""
    return active_scheme(year) or db.session.scalar(
        select(ContributionScheme).where(ContributionScheme.year == year, ContributionScheme.proposed)
        .order_by(ContributionScheme.id.desc()).limit(1))


def save_scheme(scheme, values, tiers, *, by=None):
    """Create or change a scenario: its fields and its tier table (refused with TierError, naming the band)."""
    tiers = calculation.check_tiers(tiers) if values.get("tier_basis") != TierBasis.NONE else ()
    values = {**SCHEME_DEFAULTS, **values}
    before = {field: getattr(scheme, field) for field in SCHEME_FIELDS} if scheme.id else None
    new_tiers = [[tier.lower, tier.upper, tier.amount_ore] for tier in tiers]
    old_tiers = [[tier.lower, tier.upper, tier.amount_ore] for tier in scheme.tiers] if before else None
    changes = {field: [_plain(before[field]), _plain(values[field])] for field in SCHEME_FIELDS
               if before[field] != values[field]} if before else {"created": values["name"]}
    if new_tiers != old_tiers:
        changes["tiers"] = [old_tiers, new_tiers] if before else new_tiers
        scheme.tiers = [ContributionTier(lower=tier.lower, upper=tier.upper, amount_ore=tier.amount_ore)
                        for tier in tiers]
    if not changes:  # saved as shown: nothing to write, nothing to log
        return scheme
    for field in SCHEME_FIELDS:
        setattr(scheme, field, values[field])
    if scheme.id is None:
        db.session.add(scheme)
    db.session.flush()
    record("contributions.scheme_saved", actor=by, obj=scheme, changes=changes)
    return scheme


def _plain(value):
    return str(value) if isinstance(value, str) else value  # str: the enums too


def copy_scheme(scheme, *, by=None):
    """A new scenario with the same rules, tiers and adjustments, not active."""
    copy = ContributionScheme(**{field: getattr(scheme, field) for field in SCHEME_FIELDS})
    copy.name, copy.proposed = f"{scheme.name} (kopi)"[:200], False
    copy.tiers = [ContributionTier(lower=t.lower, upper=t.upper, amount_ore=t.amount_ore) for t in scheme.tiers]
    copy.adjustments = [ContributionAdjustment(company_id=a.company_id, kind=a.kind, percent=a.percent,
                                               reason=a.reason) for a in scheme.adjustments]
    db.session.add(copy)
    db.session.flush()
    record("contributions.scheme_copied", actor=by, obj=copy, changes={"from": scheme.id})
    return copy


def adopt(scheme, *, by=None):
    """Make the scenario the year's scheme; the one adopted before stays as a scenario."""
    db.session.execute(update(ContributionScheme).where(ContributionScheme.year == scheme.year,
                                                        ContributionScheme.id != scheme.id)
                       .values(active=False), execution_options={"synchronize_session": "fetch"})
    db.session.flush()
    scheme.active, scheme.adopted_at = True, utcnow()
    if db.session.get(InvoiceSequence, scheme.year) is None:  # ready before any billing run needs to lock it
        db.session.add(InvoiceSequence(year=scheme.year, last_number=0))
    db.session.flush()
    record("contributions.scheme_adopted", actor=by, obj=scheme, changes={"year": scheme.year})


def active_scheme(year):
    return db.session.scalar(select(ContributionScheme).where(ContributionScheme.year == year,
                                                              ContributionScheme.active))


def set_adjustment(scheme, company, kind, percent, reason, *, by=None):
    """Waive (100 %) or discount a company's contribution under the scheme; replaces an earlier adjustment."""
    kind = AdjustmentKind(kind)
    percent = 100 if kind == AdjustmentKind.WAIVER else percent
    adjustment = db.session.scalar(select(ContributionAdjustment).filter_by(scheme_id=scheme.id,
                                                                           company_id=company.id))
    if adjustment is None:
        adjustment = ContributionAdjustment(scheme=scheme, company_id=company.id)
        db.session.add(adjustment)
    adjustment.kind, adjustment.percent, adjustment.reason = kind, percent, reason
    db.session.flush()
    record("contributions.adjustment_set", actor=by, obj=scheme,
           changes={"company": company.cvr, "kind": str(kind), "percent": percent, "reason": reason})
    return adjustment


def remove_adjustment(adjustment, *, by=None):
    record("contributions.adjustment_removed", actor=by, obj=adjustment.scheme,
           changes={"company_id": adjustment.company_id, "kind": str(adjustment.kind)})
    db.session.delete(adjustment)
    db.session.flush()


def company_names(ids):
    """id -> (name, cvr) for the companies shown in a calculation."""
    names = {}
    ids = list(ids)
    for start in range(0, len(ids), 5000):
        names.update((row.id, (row.name, row.cvr)) for row in db.session.execute(
            select(Company.id, Company.name, Company.cvr).where(Company.id.in_(ids[start:start + 5000]))))
    return names
