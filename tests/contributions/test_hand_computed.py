"""The heart of the contributions: a scheme typed into the admin form the way an admin writes it in Danish, adopted
and billed through the pages, and every invoice checked to the øre against amounts worked out by hand.

The register (year 2031; every company a member from before 2031 unless said otherwise):

  Plot 1, 8.000 m²,  owner Alfa Ejendomme A/S; tenants Beta Lager ApS (1.000 m²), Gamma Værksted ApS (3.000 m²)
                     and Delta Udlejning ApS (2.000 m², only invited: not a paying member)
  Plot 2, 12.500 m², owner Epsilon Holding A/S; no tenants
  Plot 3, 1.500 m²,  owner Alfa Ejendomme A/S; tenant Zeta Service ApS (1.500 m², member from 15 April 2031)
  No plot:           Eta Rådgivning ApS (member from 1 October 2031), Theta Fonden (waived)

The scheme: base fee 1.500 kr.; area bands 0-2.000 m²: 2.000 kr., 2.000-10.000 m²: 6.000,50 kr., 10.000 m² and
more: 14.000 kr.; each plot's band amount split 60 % to the owner, 40 % to the tenants by their area; a tenant
that does not pay: its share falls to the owner; minimum 2.500 kr., maximum 15.000 kr.; 25 % VAT; by month for
those who join during the year; Theta Fonden waived, Gamma Værksted 25 % discount.

The order of the rules (as the scheme page states): base + plot shares, then minimum/maximum, then months, then
discount, and only then one rounding, half up, to whole kroner; VAT is 25 % of that.
"""

import io
import re
from datetime import date

from pypdf import PdfReader
from sqlalchemy import select

from crm.companies import services as company_services
from crm.companies.models import Plot, Tenancy
from crm.contributions.models import Contribution, ContributionScheme, ContributionState
from tests.confirming import post_confirmed
from tests.conftest import post

YEAR = 2031


def text_of(response):
    assert response.status_code == 200
    return " ".join(response.get_data(as_text=True).split())


def pdf_text(data):
    assert data.startswith(b"%PDF")
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def register(db, make_company):
    def company(name, role, area=None, status="member", joined_on=date(2020, 1, 1)):
        made = make_company(name=name, role=role, area_m2=area, status=status, joined_on=joined_on,
                            street="Stamholmen 1", postal_code="2650", city="Hvidovre")
        slug = name.split()[0].lower()
        company_services.add_contact(made, {"name": f"Bogholder {name}", "email": f"bogholder@{slug}.example",
                                            "is_primary": True})
        return made

    firms = {
        "alfa": company("Alfa Ejendomme A/S", "owner"),
        "beta": company("Beta Lager ApS", "tenant", 1000),
        "gamma": company("Gamma Værksted ApS", "tenant", 3000),
        "delta": company("Delta Udlejning ApS", "tenant", 2000, status="invited"),
        "epsilon": company("Epsilon Holding A/S", "owner"),
        "zeta": company("Zeta Service ApS", "tenant", 1500, joined_on=date(YEAR, 4, 15)),
        "eta": company("Eta Rådgivning ApS", "tenant", joined_on=date(YEAR, 10, 1)),
        "theta": company("Theta Fonden", "tenant"),
    }
    plot_1 = Plot(cadastral_number="1a Avedøre", area_m2=8000, owner_id=firms["alfa"].id)
    plot_1.tenancies = [Tenancy(company_id=firms[name].id) for name in ("beta", "gamma", "delta")]
    plot_2 = Plot(cadastral_number="2a Avedøre", area_m2=12500, owner_id=firms["epsilon"].id)
    plot_3 = Plot(cadastral_number="3a Avedøre", area_m2=1500, owner_id=firms["alfa"].id)
    plot_3.tenancies = [Tenancy(company_id=firms["zeta"].id, from_date=date(YEAR, 4, 15))]
    db.session.add_all([plot_1, plot_2, plot_3])
    db.session.commit()
    return firms


def test_a_hand_computed_scheme_bills_every_company_to_the_ore(admin_client, db, make_company):
    firms = register(db, make_company)

    # The scheme, typed as an admin types it.
    response = post(admin_client, "/contributions/schemes/new", {
        "name": "Bidrag 2031", "year": "2031", "base": "1.500", "tier_basis": "area",
        "tiers": "0; 2.000; 2.000\r\n2.000; 10.000; 6.000,50\r\n10.000; ; 14.000",
        "split_plots": "y", "owner_share_pct": "60", "tenant_split": "area", "unpaid_share": "owner",
        "minimum": "2.500", "maximum": "15.000", "vat": "y", "prorate": "y", "due_days": "30",
        "reminder_1_days": "14", "reminder_2_days": "28"})
    assert response.status_code == 302
    scheme_id = int(re.search(r"/contributions/schemes/(\d+)", response.headers["Location"]).group(1))
    for data in ({"cvr": firms["theta"].cvr, "kind": "waiver", "percent": "", "reason": "Fond uden omsætning"},
                 {"cvr": f"DK {firms['gamma'].cvr}", "kind": "discount", "percent": "25",
                  "reason": "Aftale om rabat"}):
        assert post(admin_client, f"/contributions/schemes/{scheme_id}/adjustments", data).status_code == 302
    scheme = db.session.get(ContributionScheme, scheme_id)
    assert (scheme.base_ore, scheme.minimum_ore, scheme.maximum_ore, scheme.owner_share_pct) == (
        150_000, 250_000, 1_500_000, 60)
    assert [(t.lower, t.upper, t.amount_ore) for t in scheme.tiers] == [
        (0, 2_000, 200_000), (2_000, 10_000, 600_050), (10_000, None, 1_400_000)]

    # The scheme page before adopting: 7 paying companies (Delta only invited).
    # net  = 710.000 + 250.000 + 202.500 + 1.500.000 + 187.500 + 62.500 + 0 = 2.912.500 øre
    # VAT  = 177.500 +  62.500 +  50.625 +   375.000 +  46.875 + 15.625 + 0 =   728.125 øre
    # both = 3.640.625 øre
    page = text_of(admin_client.get(f"/contributions/schemes/{scheme_id}"))
    assert ('<tr><td>7</td><td class="app-number">29.125,00 kr.</td><td class="app-number">7.281,25 kr.</td>'
            '<td class="app-number">36.406,25 kr.</td></tr>') in page

    # Adopt and bill through the pages.
    assert post(admin_client, f"/contributions/schemes/{scheme_id}/adopt").status_code == 302
    billed = post_confirmed(admin_client, "/contributions/billing", {"year": "2031"}, follow_redirects=True)
    assert "7 fakturaer er lavet for 2031; 6 er lagt i udbakken." in text_of(billed)

    invoices = {c.company_id: c for c in db.session.scalars(select(Contribution).where(Contribution.year == YEAR))}
    got = {name: (invoices[firm.id].net_ore, invoices[firm.id].vat_ore, invoices[firm.id].total_ore)
           for name, firm in firms.items() if firm.id in invoices}
    assert got == {
        # Alfa owns plot 1 (band 2: 6.000,50 kr. = 600.050 øre) and plot 3 (band 1: 2.000 kr. = 200.000 øre).
        #   plot 1, owner's 60 %:                       600.050 x 60/100            = 360.030 øre
        #   plot 1, Delta's part of the tenants' 40 %:  600.050 x 40/100 x 2.000/6.000 =  80.006 2/3 øre (Delta
        #           does not pay: it falls to the owner; the tenants weigh 1.000 + 3.000 + 2.000 = 6.000 m²)
        #   plot 3, owner's 60 %:                       200.000 x 60/100            = 120.000 øre
        #   base                                                                    = 150.000 øre
        #   in all 710.036 2/3 øre = 7.100,37 kr. -> 7.100 kr. (between minimum and maximum, 12 months)
        "alfa": (710_000, 177_500, 887_500),
        # Beta: 600.050 x 40/100 x 1.000/6.000 = 40.003 1/3 øre + base 150.000 = 190.003 1/3 øre, under the
        #   minimum: 2.500 kr.; VAT 625 kr.
        "beta": (250_000, 62_500, 312_500),
        # Gamma: 600.050 x 40/100 x 3.000/6.000 = 120.010 øre + base 150.000 = 270.010 øre (over the minimum);
        #   25 % discount: 270.010 x 75/100 = 202.507,5 øre = 2.025,075 kr. -> 2.025 kr.; VAT 506,25 kr.
        "gamma": (202_500, 50_625, 253_125),
        # Epsilon: plot 2 (band 3: 14.000 kr.) alone, no tenants: 1.400.000 + base 150.000 = 1.550.000 øre, over
        #   the maximum: 15.000 kr.; VAT 3.750 kr.
        "epsilon": (1_500_000, 375_000, 1_875_000),
        # Zeta: plot 3's tenants' 40 %, alone: 200.000 x 40/100 = 80.000 + base 150.000 = 230.000 øre, under the
        #   minimum: 250.000 øre; member from April: 9 of 12 months (April-December): 250.000 x 9/12 = 187.500
        #   øre = 1.875 kr.; VAT 468,75 kr.
        "zeta": (187_500, 46_875, 234_375),
        # Eta: no plot: base 150.000 øre, under the minimum: 250.000 øre; member from October: 3 of 12 months:
        #   62.500 øre = 625 kr.; VAT 156,25 kr.
        "eta": (62_500, 15_625, 78_125),
        # Theta: waived: nothing.
        "theta": (0, 0, 0),
    }
    assert firms["delta"].id not in invoices, "only invited: not a paying member"
    assert invoices[firms["theta"].id].state == ContributionState.WAIVED
    assert {invoices[firms[name].id].months for name in ("alfa", "zeta", "eta")} == {12, 9, 3}

    # The scheme page's totals are the invoices' sums.
    invoiced_net = sum(c.net_ore for c in invoices.values())
    invoiced_vat = sum(c.vat_ore for c in invoices.values())
    assert (invoiced_net, invoiced_vat) == (2_912_500, 728_125)
    page = text_of(admin_client.get(f"/contributions/schemes/{scheme_id}"))
    assert ('<tr><td>7</td><td class="app-number">29.125,00 kr.</td><td class="app-number">7.281,25 kr.</td>'
            '<td class="app-number">36.406,25 kr.</td></tr>') in page

    # Alfa's invoice as the PDF shows it.
    alfa = invoices[firms["alfa"].id]
    text = pdf_text(admin_client.get(f"/contributions/invoices/{alfa.id}.pdf").data)
    assert f"Fakturanummer {alfa.invoice_label}" in text and "Alfa Ejendomme A/S" in text
    assert "Grundbidrag 1.500,00 kr." in text
    # the band of the plot that gives Alfa the most (plot 1)
    assert "Trin: 2.000 til under 10.000 m², 6.000,50 kr. (fordelt mellem grundejer og lejere)" in text
    assert "7.100,00 kr. Moms 25 % 1.775,00 kr. I alt 8.875,00 kr." in text
    gamma = invoices[firms["gamma"].id]
    text = pdf_text(admin_client.get(f"/contributions/invoices/{gamma.id}.pdf").data)
    assert "Rabat 25 %: Aftale om rabat" in text
    assert "2.025,00 kr. Moms 25 % 506,25 kr. I alt 2.531,25 kr." in text
