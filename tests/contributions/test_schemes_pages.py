"""The scheme pages as an admin uses them: create a scenario with its tier table, see what it would bring in,
adopt it, copy and compare, export the calculation, and waive a company's contribution.

The members are "Bidragyder 0/1/2 A/S" with 5, 15 and 25 employees; amounts are worked out by hand in øre.
"""

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from crm.companies.models import Plot, Tenancy
from crm.contributions import schemes
from crm.contributions.models import (
    ContributionAdjustment,
    ContributionScheme,
    ContributionTier,
    InvoiceSequence,
    TierBasis,
)
from crm.downloads import table_xlsx
from tests.conftest import post, valid_cvr
from tests.contributions.helpers import YEAR, a_scheme, members

TWO_TIERS = "0; 10; 1.000\n10; ; 3.000"


def scheme_form(**overrides):
    return {"name": "Trinmodel", "year": YEAR, "base": "2.000", "tier_basis": "employees", "tiers": TWO_TIERS,
            "owner_share_pct": 100, "tenant_split": "area", "minimum": "", "maximum": "", "vat": "y",
            "prorate": "y", "due_days": 30, "reminder_1_days": 14, "reminder_2_days": 28, **overrides}


def text_of(response):
    return " ".join(response.get_data(as_text=True).split())


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def scheme_id_from(response):
    return int(re.search(r"/contributions/schemes/(\d+)", response.headers["Location"]).group(1))


def net_by_company(scheme):
    return {amount.company_id: amount.net_ore for amount in schemes.calculate(scheme)}


# Creating ---------------------------------------------------------------------------------------------------------

def test_a_new_scheme_is_stored_with_its_tiers_and_its_page_shows_the_totals(admin_client, db, make_company):
    members(db, make_company, n=3)
    response = post(admin_client, "/contributions/schemes/new", scheme_form())
    assert response.status_code == 302
    scheme = db.session.get(ContributionScheme, scheme_id_from(response))
    assert (scheme.name, scheme.year, scheme.base_ore, scheme.tier_basis) == ("Trinmodel", YEAR, 200_000,
                                                                             TierBasis.EMPLOYEES)
    assert [(tier.lower, tier.upper, tier.amount_ore) for tier in scheme.tiers] == [(0, 10, 100_000),
                                                                                   (10, None, 300_000)]
    assert scheme.vat and not scheme.active

    shown = text_of(admin_client.get(f"/contributions/schemes/{scheme.id}"))
    # 2,000 + 1,000 kr. for 5 employees; 2,000 + 3,000 kr. for 15 and for 25: 13,000 kr., VAT 3,250 kr.
    totals = ('<tr><td>3</td><td class="app-number">13.000,00 kr.</td><td class="app-number">3.250,00 kr.</td>'
              '<td class="app-number">16.250,00 kr.</td></tr>')
    assert totals in shown
    assert ('<tr><td>0 til under 10 ansatte</td><td class="app-number">1</td>'
            '<td class="app-number">3.000,00 kr.</td></tr>') in shown
    assert ('<tr><td>10 ansatte og derover</td><td class="app-number">2</td>'
            '<td class="app-number">10.000,00 kr.</td></tr>') in shown


@pytest.mark.parametrize(("tiers", "message"), [
    ("0; 10; 1.000\n12; ; 3.000", "Trinnet der begynder ved 12 slutter sig ikke til trinnet før: der er et hul."),
    ("0; 10; 1.000\n5; ; 3.000", "Trinnet der begynder ved 5 overlapper trinnet der begynder ved 0."),
    ("5; 10; 1.000\n10; ; 3.000", "Trinnet der begynder ved 5 slutter sig ikke til trinnet før"),
    ("0; 10; 1.000\n10; 10; 2.000\n10; ; 3.000", "Trinnet der begynder ved 10 slutter ikke efter, at det begynder."),
])
def test_a_tier_table_with_a_gap_or_an_overlap_is_refused_naming_the_band(admin_client, db, tiers, message):
    response = post(admin_client, "/contributions/schemes/new", scheme_form(tiers=tiers))
    assert response.status_code == 422
    assert message in text_of(response)
    assert count(db, ContributionScheme) == 0 and count(db, ContributionTier) == 0


@pytest.mark.parametrize(("base", "message"), [
    ("-100", "Beløbet kan ikke være negativt."),
    ("abc", "«abc» er ikke et tal"),
    ("", "Skriv et beløb."),
])
def test_a_negative_or_non_numeric_base_is_refused(admin_client, db, base, message):
    response = post(admin_client, "/contributions/schemes/new", scheme_form(base=base))
    assert response.status_code == 422
    assert message in text_of(response)
    assert count(db, ContributionScheme) == 0


def test_a_base_beyond_what_the_database_holds_is_refused(admin_client, db):
    response = post(admin_client, "/contributions/schemes/new", scheme_form(base="30.000.000"))
    assert response.status_code == 422
    db.session.rollback()
    assert count(db, ContributionScheme) == 0


def test_editing_with_a_gap_leaves_the_stored_tiers_alone(admin_client, db):
    created = post(admin_client, "/contributions/schemes/new", scheme_form())
    scheme_id = scheme_id_from(created)
    response = post(admin_client, f"/contributions/schemes/{scheme_id}/edit",
                    scheme_form(base="9.000", tiers="0; 10; 1.000\n12; ; 3.000"))
    assert response.status_code == 422 and "begynder ved 12" in text_of(response)
    db.session.expire_all()
    scheme = db.session.get(ContributionScheme, scheme_id)
    assert scheme.base_ore == 200_000
    assert [(tier.lower, tier.upper, tier.amount_ore) for tier in scheme.tiers] == [(0, 10, 100_000),
                                                                                   (10, None, 300_000)]


# Adopting ---------------------------------------------------------------------------------------------------------

def test_adopting_a_second_scheme_of_the_year_retires_the_first(admin_client, db):
    first = scheme_id_from(post(admin_client, "/contributions/schemes/new", scheme_form(name="Model A")))
    second = scheme_id_from(post(admin_client, "/contributions/schemes/new", scheme_form(name="Model B")))
    next_year = scheme_id_from(post(admin_client, "/contributions/schemes/new",
                                    scheme_form(name="Model C", year=YEAR + 1)))
    assert post(admin_client, f"/contributions/schemes/{next_year}/adopt").status_code == 302

    response = post(admin_client, f"/contributions/schemes/{first}/adopt", follow_redirects=True)
    assert "«Model A» er nu ordningen for 2031." in text_of(response)
    db.session.expire_all()
    assert schemes.active_scheme(YEAR).id == first
    assert db.session.get(InvoiceSequence, YEAR).last_number == 0, "the year's number series is ready"

    post(admin_client, f"/contributions/schemes/{second}/adopt")
    db.session.expire_all()
    active = db.session.scalars(select(ContributionScheme.id).where(ContributionScheme.active)
                                .order_by(ContributionScheme.id)).all()
    assert active == [second, next_year], "one active scheme per year; the other year's is untouched"
    assert "Model B (2031) · Vedtaget" in text_of(admin_client.get(f"/contributions/schemes/{second}"))
    assert "Vedtaget" not in text_of(admin_client.get(f"/contributions/schemes/{first}")).split("</h1>")[0]


def test_moving_an_adopted_scheme_into_a_year_with_an_adopted_scheme_is_not_a_server_error(admin_client, db):
    this_year = scheme_id_from(post(admin_client, "/contributions/schemes/new", scheme_form(name="A")))
    next_year = scheme_id_from(post(admin_client, "/contributions/schemes/new",
                                    scheme_form(name="B", year=YEAR + 1)))
    post(admin_client, f"/contributions/schemes/{this_year}/adopt")
    post(admin_client, f"/contributions/schemes/{next_year}/adopt")
    response = post(admin_client, f"/contributions/schemes/{next_year}/edit", scheme_form(name="B", year=YEAR))
    assert response.status_code == 422
    assert "Et vedtaget eller faktureret scenarie kan ikke flyttes til et andet år." in text_of(response)
    db.session.rollback()
    assert len(db.session.scalars(select(ContributionScheme).where(ContributionScheme.year == YEAR,
                                                                   ContributionScheme.active)).all()) == 1


# Copy and compare -------------------------------------------------------------------------------------------------

def test_a_copy_with_another_base_is_compared_company_by_company(admin_client, db, make_company):
    _, _, waived = members(db, make_company, n=3)
    original = a_scheme(db, adopt=False)
    post(admin_client, f"/contributions/schemes/{original.id}/adjustments",
         {"cvr": waived.cvr, "kind": "waiver", "percent": "", "reason": "Forening"})
    copied = post(admin_client, f"/contributions/schemes/{original.id}/copy")
    assert copied.status_code == 302 and copied.headers["Location"].endswith("/edit")
    copy_id = scheme_id_from(copied)
    assert copy_id != original.id
    copy = db.session.get(ContributionScheme, copy_id)
    assert copy.name == "Model 2031 (kopi)" and not copy.active
    assert [(t.lower, t.upper, t.amount_ore) for t in copy.tiers] == [(0, 10, 100_000), (10, 50, 300_000),
                                                                      (50, None, 800_000)]
    assert [(a.company_id, a.percent) for a in copy.adjustments] == [(waived.id, 100)]

    edited = post(admin_client, f"/contributions/schemes/{copy_id}/edit",
                  scheme_form(name="Model 2031 (kopi)", base="2.500",
                              tiers="0; 10; 1.000\n10; 50; 3.000\n50; ; 8.000"))
    assert edited.status_code == 302
    db.session.expire_all()
    assert db.session.get(ContributionScheme, copy_id).base_ore == 250_000
    assert db.session.get(ContributionScheme, original.id).base_ore == 200_000

    response = admin_client.get(f"/contributions/schemes/{original.id}/compare?with={copy_id}")
    assert response.status_code == 200
    shown = text_of(response)
    moved = shown.split("De virksomheder, hvis beløb ændrer sig mest")[1]
    # 500 kr. more base each: 3,000 -> 3,500 kr. and 5,000 -> 5,500 kr.; the waived company pays 0 in both
    assert ('<td>Bidragyder 0 A/S</td><td class="app-number">3.000,00 kr.</td>'
            '<td class="app-number">3.500,00 kr.</td><td class="app-number">+500,00 kr.</td>') in moved
    assert ('<td>Bidragyder 1 A/S</td><td class="app-number">5.000,00 kr.</td>'
            '<td class="app-number">5.500,00 kr.</td><td class="app-number">+500,00 kr.</td>') in moved
    assert "Bidragyder 2 A/S" not in moved
    # totals side by side: 8,000 kr. and 9,000 kr. without VAT
    assert "<td>8.000,00 kr.</td><td>9.000,00 kr.</td>" in shown
    assert admin_client.get(f"/contributions/schemes/{original.id}/compare?with=999999").status_code == 404


# Export -----------------------------------------------------------------------------------------------------------

def test_the_calculator_exports_every_paying_company_as_a_row_with_numbers(admin_client, db, make_company):
    companies = members(db, make_company, n=3)
    make_company(name="Aaa Inviteret ApS", status="invited", employees=3)
    make_company(name="Aab Næste År ApS", status="member", employees=3, joined_on=date(YEAR + 1, 1, 1))
    late = make_company(name="Aac Efterår ApS", status="member", employees=60, joined_on=date(YEAR, 10, 5))
    scheme = a_scheme(db, adopt=False)
    response = admin_client.get(f"/contributions/schemes/{scheme.id}/export.xlsx")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"bidrag-2031-scenarie-{scheme.id}.xlsx" in disposition
    sheet = load_workbook(io.BytesIO(response.data)).active
    got = [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]
    role = str(companies[0].role)
    assert got == [
        ["cvr", "company", "role", "tier", "months", "net_kr", "vat_kr", "total_kr", "notes"],
        # joined in October: (2,000 + 8,000 kr.) x 3/12 = 2,500 kr.
        [late.cvr, "Aac Efterår ApS", role, "50+", 3, 2500, 625, 3125, "prorated"],
        [companies[0].cvr, "Bidragyder 0 A/S", role, "0-9", 12, 3000, 750, 3750, ""],
        [companies[1].cvr, "Bidragyder 1 A/S", role, "10-49", 12, 5000, 1250, 6250, ""],
        [companies[2].cvr, "Bidragyder 2 A/S", role, "10-49", 12, 5000, 1250, 6250, ""],
    ]
    assert all(isinstance(value, int | float) for row in got[1:] for value in row[5:8])
    assert all(isinstance(row[0], str) for row in got[1:]), "CVR numbers stay text"


@pytest.mark.parametrize(("name", "title"), [
    ("Scenarie: grundejer og lejere deler", "2031 Scenarie grundejer og leje"),
    ("[Udkast] 50/50 *ny?* \\ gammel", "2031 (Udkast) 50-50 ny - gammel"),
    ("=SUM(A1)", "2031 =SUM(A1)"),
])
def test_a_scheme_whose_name_a_sheet_title_cannot_hold_exports_with_a_readable_title(admin_client, db,
                                                                                    make_company, name, title):
    members(db, make_company, n=1)
    scheme = a_scheme(db, adopt=False, name=name)
    response = admin_client.get(f"/contributions/schemes/{scheme.id}/export.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == [title]
    assert workbook.active.max_row == 2


@pytest.mark.parametrize(("title", "expected"), [
    ("Scenarie: a/b", "Scenarie a-b"),
    ("::::", "Ark"),
    ("", "Ark"),
    ("  \t\r\n\x00\x07 ", "Ark"),
    ("Linje 1\r\nLinje 2", "Linje 1 Linje 2"),
    ("'''", "Ark"),
    ("'Ejer'", "Ejer"),
    ("x" * 40, "x" * 31),
    ("Aaaaaaaaaaaaaaaaaaaaaaaaaaaaa: b", "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaa b"),
    ("Æblegrød på Holme: 2031", "Æblegrød på Holme 2031"),
    ("History", "History (1)"),
])
def test_every_table_gets_a_sheet_title_a_spreadsheet_accepts(title, expected):
    workbook = load_workbook(io.BytesIO(table_xlsx(("a",), [("1",)], title)))
    assert workbook.sheetnames == [expected]


# Adjustments ------------------------------------------------------------------------------------------------------

def test_a_waiver_by_cvr_makes_the_companys_amount_zero(admin_client, db, make_company):
    small, middle, _ = members(db, make_company, n=3)
    scheme = a_scheme(db, adopt=False)
    response = post(admin_client, f"/contributions/schemes/{scheme.id}/adjustments",
                    {"cvr": f"DK {middle.cvr[:4]} {middle.cvr[4:]}", "kind": "waiver", "percent": "",
                     "reason": "Frivillig forening"}, follow_redirects=True)
    assert f"{middle.name} er registreret." in text_of(response)
    (adjustment,) = db.session.scalars(select(ContributionAdjustment)).all()
    assert (adjustment.company_id, adjustment.percent, adjustment.reason) == (middle.id, 100, "Frivillig forening")
    db.session.expire_all()
    amounts = net_by_company(db.session.get(ContributionScheme, scheme.id))
    assert amounts[middle.id] == 0 and amounts[small.id] == 300_000
    shown = text_of(admin_client.get(f"/contributions/schemes/{scheme.id}"))
    # 3,000 + 0 + 5,000 kr.
    assert '<td class="app-number">8.000,00 kr.</td>' in shown and "Frivillig forening" in shown


def test_a_discount_by_cvr_takes_its_percentage_off(admin_client, db, make_company):
    small, _, _ = members(db, make_company, n=3)
    scheme = a_scheme(db, adopt=False)
    post(admin_client, f"/contributions/schemes/{scheme.id}/adjustments",
         {"cvr": small.cvr, "kind": "discount", "percent": "15", "reason": "Ny virksomhed"})
    db.session.expire_all()
    # 3,000 kr. less 15 % = 2,550 kr.
    assert net_by_company(db.session.get(ContributionScheme, scheme.id))[small.id] == 255_000


def test_an_unknown_or_invalid_cvr_is_refused(admin_client, db, make_company):
    members(db, make_company, n=1)
    scheme = a_scheme(db, adopt=False)
    unknown = valid_cvr(900_000)
    response = post(admin_client, f"/contributions/schemes/{scheme.id}/adjustments",
                    {"cvr": unknown, "kind": "waiver", "reason": "Fejl"}, follow_redirects=True)
    assert f"Ingen virksomhed har CVR-nummer {unknown}." in text_of(response)
    response = post(admin_client, f"/contributions/schemes/{scheme.id}/adjustments",
                    {"cvr": "12345678", "kind": "waiver", "reason": "Fejl"}, follow_redirects=True)
    assert "kontrolcifferet passer ikke" in text_of(response)
    response = post(admin_client, f"/contributions/schemes/{scheme.id}/adjustments",
                    {"cvr": "1234", "kind": "waiver", "reason": "Fejl"}, follow_redirects=True)
    assert "skal være 8 cifre" in text_of(response)
    assert count(db, ContributionAdjustment) == 0


def test_the_scheme_pages_are_for_admins_only(staff_client, db):
    scheme = a_scheme(db, adopt=False)
    assert staff_client.get("/contributions/schemes").status_code == 403
    assert staff_client.get(f"/contributions/schemes/{scheme.id}").status_code == 403
    assert post(staff_client, "/contributions/schemes/new", scheme_form()).status_code == 403
    assert post(staff_client, f"/contributions/schemes/{scheme.id}/adopt").status_code == 403
    db.session.expire_all()
    assert count(db, ContributionScheme) == 1 and not db.session.get(ContributionScheme, scheme.id).active


def test_a_flat_scheme_without_tiers_is_saved_and_tiers_without_a_basis_are_asked_for(admin_client, db):
    flat = post(admin_client, "/contributions/schemes/new", scheme_form(name="Fladt bidrag", tier_basis="none",
                                                                        tiers=""))
    assert flat.status_code == 302
    scheme = db.session.scalars(select(ContributionScheme).where(ContributionScheme.name == "Fladt bidrag")).one()
    assert (scheme.base_ore, scheme.tiers) == (200_000, [])
    missing = post(admin_client, "/contributions/schemes/new", scheme_form(name="Uden trin", tiers=""))
    assert missing.status_code == 422 and "Skriv mindst ét trin" in text_of(missing)


# Split plots --------------------------------------------------------------------------------------------------------

def test_a_scheme_splitting_plots_shows_a_member_without_a_plot_share_as_without_tier(admin_client, db,
                                                                                       make_company):
    owner = make_company(name="Grundejer A/S", status="member", role="owner", area_m2=6000)
    tenant = make_company(name="Lejer ApS", status="member", role="tenant", area_m2=1000)
    make_company(name="Uden Grund ApS", status="member", role="tenant")
    plot = Plot(cadastral_number="1a Avedøre", area_m2=6000, owner_id=owner.id)
    plot.tenancies = [Tenancy(company_id=tenant.id)]
    db.session.add(plot)
    db.session.commit()
    response = post(admin_client, "/contributions/schemes/new", scheme_form(
        base="1.000", tier_basis="area", tiers="0; 5.000; 1.500\n5.000; ; 5.000", split_plots="y",
        owner_share_pct=60))
    scheme_id = scheme_id_from(response)
    page = admin_client.get(f"/contributions/schemes/{scheme_id}")
    assert page.status_code == 200
    shown = text_of(page)
    # owner 1,000 + 60 % of 5,000 = 4,000 kr.; tenant 1,000 + 2,000 = 3,000 kr.; the third only the base 1,000 kr.
    assert ('<tr><td>5.000 m² og derover</td><td class="app-number">2</td>'
            '<td class="app-number">7.000,00 kr.</td></tr>') in shown
    assert '<tr><td>Uden trin</td><td class="app-number">1</td><td class="app-number">1.000,00 kr.</td></tr>' in shown
    compared = admin_client.get(f"/contributions/schemes/{scheme_id}/compare?with={scheme_id}")
    assert compared.status_code == 200


def test_the_rule_for_an_unpaid_tenant_is_chosen_in_the_form_shown_copied_and_compared(admin_client, db,
                                                                                       make_company):
    # Plot of 6,000 m² -> 5,000 kr.; owner 60 % = 3,000 kr.; the tenants' 2,000 kr. by area between a paying tenant
    # of 1,000 m² and one of 3,000 m² that is only invited (not a paying member): 500 and 1,500 kr.
    owner = make_company(name="Grundejer A/S", status="member", role="owner", area_m2=6000)
    paying = make_company(name="Lejer ApS", status="member", role="tenant", area_m2=1000)
    unpaid = make_company(name="Ikke Medlem ApS", status="invited", role="tenant", area_m2=3000)
    plot = Plot(cadastral_number="2b Avedøre", area_m2=6000, owner_id=owner.id)
    plot.tenancies = [Tenancy(company_id=paying.id), Tenancy(company_id=unpaid.id)]
    db.session.add(plot)
    db.session.commit()
    form = scheme_form(base="0", tier_basis="area", tiers="0; 5.000; 1.500\n5.000; ; 5.000", split_plots="y",
                       owner_share_pct=60)
    default = scheme_id_from(post(admin_client, "/contributions/schemes/new", {**form, "name": "Fordelt"}))
    to_owner = scheme_id_from(post(admin_client, "/contributions/schemes/new",
                                   {**form, "name": "Til grundejer", "unpaid_share": "owner"}))
    not_collected = scheme_id_from(post(admin_client, "/contributions/schemes/new",
                                        {**form, "name": "Opkræves ikke", "unpaid_share": "none"}))
    schemes_by_id = {i: db.session.get(ContributionScheme, i) for i in (default, to_owner, not_collected)}
    assert [str(schemes_by_id[i].unpaid_share) for i in (default, to_owner, not_collected)] == [
        "redistribute", "owner", "none"]
    # redistributed: the paying tenant pays all 2,000 kr.; to the owner: 3,000 + 1,500; not collected: 3,000
    assert net_by_company(schemes_by_id[default]) == {owner.id: 300_000, paying.id: 200_000}
    assert net_by_company(schemes_by_id[to_owner]) == {owner.id: 450_000, paying.id: 50_000}
    assert net_by_company(schemes_by_id[not_collected]) == {owner.id: 300_000, paying.id: 50_000}

    shown = text_of(admin_client.get(f"/contributions/schemes/{to_owner}"))
    assert "En lejer, der ikke betaler: andelen betales af grundejeren" in shown
    assert ('<tr><td>2</td><td class="app-number">5.000,00 kr.</td>') in shown
    edit = admin_client.get(f"/contributions/schemes/{to_owner}/edit").get_data(as_text=True)
    assert "selected" in re.search(r'<option [^>]*value="owner"[^>]*>', edit).group(0)

    copied = post(admin_client, f"/contributions/schemes/{to_owner}/copy")
    copy = db.session.get(ContributionScheme, scheme_id_from(copied))
    assert copy.unpaid_share == "owner" and copy.id != to_owner

    compared = text_of(admin_client.get(f"/contributions/schemes/{default}/compare?with={not_collected}"))
    assert ("<th scope=\"row\">En lejer, der ikke er betalende medlem</th><td>Andelen fordeles mellem de betalende "
            "lejere</td><td>Andelen opkræves ikke</td>") in compared


def test_a_text_with_a_control_character_from_old_data_still_exports():
    """openpyxl refuses XML's forbidden characters in a cell; the table writer leaves them out instead of failing."""
    workbook = load_workbook(io.BytesIO(table_xlsx(("Navn", "Note"), [("Bo\x01rg ApS", "=1+1\x0b")], "Ark")))
    assert [cell.value for cell in workbook.active[2]] == ["Borg ApS", "'=1+1"]
