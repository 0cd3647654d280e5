"""The portal's offer is what billing bills, to the øre: the register and scheme of the contributions' hand-computed
test (tests/contributions/test_hand_computed.py), and Delta Udlejning ApS, only invited, signing up from June.

Delta is a tenant of 2.000 m² on plot 1 (8.000 m², band 2.000-10.000 m²: 6.000,50 kr. = 600.050 øre):
  the tenants' 40 %:                     600.050 x 40/100                = 240.020 øre
  Delta's part by area (now paying, the tenants weigh 1.000 + 3.000 + 2.000 = 6.000 m²):
                                         240.020 x 2.000/6.000           =  80.006 2/3 øre
  base                                                                   = 150.000 øre
  sum                                                                    = 230.006 2/3 øre
  below the minimum of 2.500 kr.:                                        = 250.000 øre
  from June: 7 of 12 months              250.000 x 7/12                  = 145.833 1/3 øre
  rounded half up to whole kroner                                        = 145.800 øre  (1.458 kr.)
  VAT 25 %                                                               =  36.450 øre
  total                                                                  = 182.250 øre  (1.822,50 kr.)
"""

import io
from datetime import date

from pypdf import PdfReader
from sqlalchemy import select

from crm.companies.models import CompanyStatus
from crm.contributions import billing, calculation, schemes
from crm.contributions.models import (
    Contribution,
    ContributionScheme,
    TenantSplit,
    TierBasis,
    UnpaidShare,
)
from crm.mail.attachments import attachment_data
from crm.mail.models import OutboundEmail
from crm.partnership import services
from tests.contributions.test_hand_computed import register
from tests.partnership.helpers import a_signer, an_agreement

YEAR = 2031


def hand_scheme(db, firms):
    scheme = schemes.save_scheme(ContributionScheme(), {
        "year": YEAR, "name": "Bidrag 2031", "base_ore": 150_000, "tier_basis": TierBasis.AREA, "split_plots": True,
        "owner_share_pct": 60, "tenant_split": TenantSplit.AREA, "unpaid_share": UnpaidShare.OWNER,
        "minimum_ore": 250_000, "maximum_ore": 1_500_000, "vat": True, "prorate": True, "due_days": 30,
        "reminder_1_days": 14, "reminder_2_days": 28},
        (calculation.Tier(0, 2_000, 200_000), calculation.Tier(2_000, 10_000, 600_050),
         calculation.Tier(10_000, None, 1_400_000)))
    schemes.set_adjustment(scheme, firms["theta"], "waiver", 100, "Fond uden omsætning")
    schemes.set_adjustment(scheme, firms["gamma"], "discount", 25, "Aftale om rabat")
    schemes.adopt(scheme)
    db.session.commit()
    return scheme


def test_the_offer_a_company_signs_is_the_invoice_billing_makes(db, make_company):
    firms = register(db, make_company)
    hand_scheme(db, firms)
    agreement = an_agreement(db)
    delta = firms["delta"]
    signer = a_signer(db, delta, "direktoer@delta.example", primary=False, may_sign=True)

    offer = services.offer(delta, YEAR, date(YEAR, 6, 1))
    assert (offer.amount.net_ore, offer.amount.vat_ore, offer.amount.total_ore) == (145_800, 36_450, 182_250)
    assert offer.amount.months == 7
    assert [line["part"] for line in offer.lines] == ["base", "tier", "minimum", "prorated"]
    assert services.offer(delta, YEAR + 1) is None, "no scheme for 2032 yet"
    from_january = services.offer(delta, YEAR, date(YEAR, 1, 1))
    assert (from_january.amount.months, from_january.amount.net_ore) == (12, 250_000), "the whole year"
    assert "prorated" not in [line["part"] for line in from_january.lines], "no '12 of 12 months' line"

    signature = services.sign_up(delta, signer, agreement, date(YEAR, 6, 1), on=date(YEAR, 5, 20))
    db.session.commit()
    assert (signature.net_ore, signature.vat_ore, signature.signer_name) == (145_800, 36_450, "Signe Direktør")
    assert (delta.status, delta.joined_on) == (CompanyStatus.MEMBER, date(YEAR, 6, 1))

    mail = db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == "direktoer@delta.example")).one()
    assert "Velkommen i partnerskabet" in mail.subject
    assert "1.822,50 kr." in mail.body_text
    pdf = attachment_data(mail.attachments[0])
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Partnerskabsaftale 2020" in text and "Delta Udlejning ApS" in text and "1.822,50" in text

    billing.bill(YEAR, today=date(YEAR, 6, 2))
    db.session.commit()
    invoice = db.session.scalars(select(Contribution).where(Contribution.company_id == delta.id)).one()
    assert (invoice.net_ore, invoice.vat_ore, invoice.months) == (145_800, 36_450, 7)
    assert invoice.lines == offer.lines


def test_after_notice_billing_stops_and_the_company_stays_invited(db, make_company):
    firms = register(db, make_company)
    hand_scheme(db, firms)
    agreement = an_agreement(db)
    delta = firms["delta"]
    signer = a_signer(db, delta, "direktoer@delta.example")
    services.sign_up(delta, signer, agreement, date(YEAR, 6, 1), on=date(YEAR, 5, 20))

    # Notice on 15 October 2031 with 3 months: the period runs out in January 2032, so the membership ends with 2032.
    notice = services.give_notice(delta, signer, agreement, on=date(YEAR, 10, 15))
    db.session.commit()
    assert notice.ends_on == date(YEAR + 1, 12, 31) == delta.left_on
    assert delta.id in {payer.id for payer in schemes.payers(YEAR + 1)}
    assert delta.id not in {payer.id for payer in schemes.payers(YEAR + 2)}

    assert services.end_memberships(on=date(YEAR + 1, 12, 31)) == 0, "a member to the last day"
    assert services.end_memberships(on=date(YEAR + 2, 1, 1)) == 1
    assert (delta.status, delta.joined_on, delta.left_on) == (
        CompanyStatus.INVITED, date(YEAR, 6, 1), date(YEAR + 1, 12, 31))
