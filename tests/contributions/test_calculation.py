"""The contribution rules, checked against amounts worked out by hand (øre; net rounded to whole kroner)."""

from datetime import date
from decimal import Decimal

import pytest

from crm.contributions.calculation import (
    CompanyFacts,
    PlotFacts,
    Rules,
    Tier,
    TierError,
    calculate,
    changes,
    check_tiers,
    round_to_kroner,
    summarise,
)

EMPLOYEE_TIERS = (Tier(0, 10, 100_000), Tier(10, 50, 300_000), Tier(50, None, 800_000))
AREA_TIERS = (Tier(0, 5_000, 200_000), Tier(5_000, 20_000, 600_000), Tier(20_000, None, 1_200_000))


def by_company(amounts):
    return {amount.company_id: amount for amount in amounts}


def test_base_plus_employee_tier_with_vat():
    rules = Rules(base_ore=200_000, basis="employees", tiers=EMPLOYEE_TIERS)
    companies = [CompanyFacts(1, "tenant", employees=9), CompanyFacts(2, "owner", employees=10),
                 CompanyFacts(3, "both", employees=400), CompanyFacts(4, "tenant", employees=None)]
    result = by_company(calculate(rules, companies, year=2025))
    # 2,000 kr. base + 1,000 / 3,000 / 8,000 kr.; unknown head count counts as 0 employees
    assert [result[i].net_ore for i in (1, 2, 3, 4)] == [300_000, 500_000, 1_000_000, 300_000]
    assert result[2].vat_ore == 125_000 and result[2].total_ore == 625_000
    assert [result[i].tier for i in (1, 2, 3, 4)] == [0, 1, 2, 0]


def test_minimum_maximum_and_no_vat():
    rules = Rules(base_ore=0, basis="employees", tiers=EMPLOYEE_TIERS, minimum_ore=150_000, maximum_ore=500_000,
                  vat=False)
    result = by_company(calculate(rules, [CompanyFacts(1, "tenant", employees=3),
                                          CompanyFacts(2, "tenant", employees=60)], year=2025))
    assert (result[1].net_ore, result[1].notes) == (150_000, ["minimum"])
    assert (result[2].net_ore, result[2].notes) == (500_000, ["maximum"])
    assert result[1].vat_ore == result[2].vat_ore == 0


def test_proration_by_month_for_a_company_joining_during_the_year():
    rules = Rules(base_ore=1_200_000)
    companies = [CompanyFacts(1, "tenant", joined_on=date(2025, 8, 20)),   # Aug-Dec: 5 months
                 CompanyFacts(2, "tenant", joined_on=date(2024, 8, 20)),   # joined before the year: all 12
                 CompanyFacts(3, "tenant", joined_on=date(2025, 1, 1))]
    result = by_company(calculate(rules, companies, year=2025))
    assert (result[1].months, result[1].net_ore) == (5, 500_000)
    assert (result[2].months, result[2].net_ore) == (12, 1_200_000)
    assert result[3].net_ore == 1_200_000
    # 1,000 kr. a year for 5 months is 416.666... kr.: rounded once to 417 kr.
    assert calculate(Rules(base_ore=100_000), companies[:1], year=2025)[0].net_ore == 41_700


def test_waiver_and_discount():
    rules = Rules(base_ore=300_000, discounts={1: 100, 2: 25})
    result = by_company(calculate(rules, [CompanyFacts(i, "tenant") for i in (1, 2, 3)], year=2025))
    assert (result[1].net_ore, result[1].vat_ore, result[1].notes) == (0, 0, ["waived"])
    assert (result[2].net_ore, result[2].notes) == (225_000, ["discount"])
    assert result[3].net_ore == 300_000


def test_owner_and_tenants_split_a_plot_by_area():
    # plot of 12,000 m² -> 6,000 kr.; owner 40 % = 2,400 kr.; tenants 3,600 kr. by area 1,000 : 2,000 m²
    rules = Rules(basis="area", tiers=AREA_TIERS, split_plots=True, owner_share_pct=40, tenant_split="area")
    companies = [CompanyFacts(1, "owner"), CompanyFacts(2, "tenant", area_m2=Decimal("1000")),
                 CompanyFacts(3, "tenant", area_m2=Decimal("2000"))]
    plots = [PlotFacts(Decimal("12000"), owner_id=1, tenant_ids=(2, 3))]
    result = by_company(calculate(rules, companies, plots, year=2025))
    assert [result[i].net_ore for i in (1, 2, 3)] == [240_000, 120_000, 240_000]
    assert {amount.tier for amount in result.values()} == {1}


def test_split_equally_with_an_odd_third_rounded_once_per_company():
    # 2,000 kr. plot, owner 50 % = 1,000 kr.; three tenants share 1,000 kr.: 333.33 kr. each -> 333 kr.
    rules = Rules(basis="area", tiers=AREA_TIERS, split_plots=True, owner_share_pct=50, tenant_split="equal")
    companies = [CompanyFacts(i, "owner" if i == 1 else "tenant") for i in (1, 2, 3, 4)]
    plots = [PlotFacts(Decimal("800"), owner_id=1, tenant_ids=(2, 3, 4))]
    result = by_company(calculate(rules, companies, plots, year=2025))
    assert [result[i].net_ore for i in (1, 2, 3, 4)] == [100_000, 33_300, 33_300, 33_300]


def test_owner_of_a_plot_without_paying_tenants_pays_it_all_and_shares_add_up_over_plots():
    rules = Rules(base_ore=50_000, basis="area", tiers=AREA_TIERS, split_plots=True, owner_share_pct=30)
    companies = [CompanyFacts(1, "both", area_m2=Decimal("100")), CompanyFacts(2, "tenant", area_m2=None)]
    plots = [PlotFacts(Decimal("25000"), owner_id=1, tenant_ids=()),       # 12,000 kr. all to the owner
             PlotFacts(Decimal("4999.9"), owner_id=1, tenant_ids=(2, 99)),  # 2,000 kr.: 600 owner, 1,400 to 2
             PlotFacts(Decimal("6000"), owner_id=2, tenant_ids=(1,))]       # 6,000 kr.: 1,800 to 2, 4,200 to 1
    result = by_company(calculate(rules, companies, plots, year=2025))
    # company 99 does not pay: its tenancy is ignored, so company 2 (no area) takes the tenants' share alone
    assert result[1].net_ore == 50_000 + 1_200_000 + 60_000 + 420_000
    assert result[2].net_ore == 50_000 + 140_000 + 180_000
    assert result[1].tier == 2  # the plot giving company 1 the most


def test_area_tiers_without_split_use_the_company_area():
    rules = Rules(basis="area", tiers=AREA_TIERS)
    result = calculate(rules, [CompanyFacts(1, "owner", area_m2=Decimal("20000"))], year=2025)
    assert (result[0].net_ore, result[0].tier) == (1_200_000, 2)


@pytest.mark.parametrize(("tiers", "problem", "band_lower"), [
    ((Tier(0, 10, 1), Tier(11, None, 2)), "gap", 11),
    ((Tier(0, 10, 1), Tier(8, None, 2)), "overlap", 8),
    ((Tier(0, None, 1), Tier(8, None, 2)), "overlap", 8),
    ((Tier(5, None, 1),), "gap", 5),
    ((Tier(0, 10, 1), Tier(10, 10, 2)), "empty", 10),
    ((Tier(0, 10, -1),), "negative", 0),
])
def test_tier_tables_with_gaps_or_overlaps_are_refused_naming_the_band(tiers, problem, band_lower):
    with pytest.raises(TierError) as refused:
        check_tiers(tiers)
    assert refused.value.problem == problem and refused.value.band.lower == band_lower


def test_tiers_given_out_of_order_are_sorted():
    assert [tier.lower for tier in check_tiers((Tier(10, None, 2), Tier(0, 10, 1)))] == [0, 10]


def test_rounding_is_half_up_to_whole_kroner():
    assert [round_to_kroner(value) for value in (0, 49, 50, 149, 150, 12_345)] == [0, 0, 100, 100, 200, 12_300]


def test_summary_and_changes_between_two_scenarios():
    companies = [CompanyFacts(1, "owner", employees=5), CompanyFacts(2, "tenant", employees=20),
                 CompanyFacts(3, "tenant", employees=200)]
    flat = calculate(Rules(base_ore=400_000), companies, year=2025)
    tiered = calculate(Rules(basis="employees", tiers=EMPLOYEE_TIERS), companies, year=2025)
    summary = summarise(tiered)
    assert (summary.companies, summary.net_ore, summary.vat_ore) == (3, 1_200_000, 300_000)
    assert dict(summary.by_role) == {"owner": [1, 100_000], "tenant": [2, 1_100_000]}
    assert dict(summary.by_tier) == {0: [1, 100_000], 1: [1, 300_000], 2: [1, 800_000]}
    assert changes(flat, tiered) == [(3, 400_000, 800_000), (1, 400_000, 100_000), (2, 400_000, 300_000)]


# A tenant that does not pay -----------------------------------------------------------------------------------------
# Plot of 12,000 m² -> 6,000 kr.; the owner (1) pays 40 % = 2,400 kr.; the tenants' 3,600 kr. by area between
# tenant 2 (1,000 m², pays), tenant 3 (2,000 m², pays) and tenant 9 (3,000 m², not a paying member):
# 1 : 2 : 3 -> 600, 1,200 and 1,800 kr.

UNPAID_COMPANIES = [CompanyFacts(1, "owner"), CompanyFacts(2, "tenant", area_m2=Decimal("1000")),
                    CompanyFacts(3, "tenant", area_m2=Decimal("2000"))]
UNPAID_PLOT = PlotFacts(Decimal("12000"), owner_id=1, tenant_ids=(2, 3, 9),
                        tenant_areas=(Decimal("1000"), Decimal("2000"), Decimal("3000")))


def split_rules(unpaid_share, tenant_split="area", owner_share_pct=40):
    return Rules(basis="area", tiers=AREA_TIERS, split_plots=True, owner_share_pct=owner_share_pct,
                 tenant_split=tenant_split, unpaid_share=unpaid_share)


def test_an_unpaid_tenants_share_is_redistributed_among_the_paying_tenants_by_default():
    assert Rules().unpaid_share == "redistribute"
    result = by_company(calculate(split_rules("redistribute"), UNPAID_COMPANIES, [UNPAID_PLOT], year=2025))
    # 3,600 kr. between tenants 2 and 3 alone, 1 : 2 -> 1,200 and 2,400 kr.
    assert [result[i].net_ore for i in (1, 2, 3)] == [240_000, 120_000, 240_000]


def test_an_unpaid_tenants_share_falls_to_the_owner():
    result = by_company(calculate(split_rules("owner"), UNPAID_COMPANIES, [UNPAID_PLOT], year=2025))
    # owner 2,400 + tenant 9's 1,800 = 4,200 kr.; tenants 600 and 1,200 kr.
    assert [result[i].net_ore for i in (1, 2, 3)] == [420_000, 60_000, 120_000]


def test_an_unpaid_tenants_share_is_not_collected():
    result = by_company(calculate(split_rules("none"), UNPAID_COMPANIES, [UNPAID_PLOT], year=2025))
    # owner 2,400, tenants 600 and 1,200 kr.: 4,200 of the plot's 6,000 kr.; tenant 9's 1,800 kr. by nobody
    assert [result[i].net_ore for i in (1, 2, 3)] == [240_000, 60_000, 120_000]


def test_an_unpaid_tenants_equal_share_falls_to_the_owner():
    result = by_company(calculate(split_rules("owner", tenant_split="equal"), UNPAID_COMPANIES, [UNPAID_PLOT],
                                  year=2025))
    # 3,600 kr. in three equal parts of 1,200 kr.: owner 2,400 + 1,200 = 3,600 kr.
    assert [result[i].net_ore for i in (1, 2, 3)] == [360_000, 120_000, 120_000]


def test_a_plot_whose_only_tenant_does_not_pay():
    # plot of 800 m² -> 2,000 kr.; owner share 50 % = 1,000 kr.; its only tenant (9) does not pay
    plot = PlotFacts(Decimal("800"), owner_id=1, tenant_ids=(9,), tenant_areas=(Decimal("500"),))
    owner = [CompanyFacts(1, "owner")]
    assert calculate(split_rules("redistribute", owner_share_pct=50), owner, [plot])[0].net_ore == 200_000
    assert calculate(split_rules("owner", owner_share_pct=50), owner, [plot])[0].net_ore == 200_000
    assert calculate(split_rules("none", owner_share_pct=50), owner, [plot])[0].net_ore == 100_000
