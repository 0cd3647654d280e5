"""The scheme form as an admin reads and types it: the amounts it shows are the stored ones, written the Danish
way, saving an unchanged form changes nothing, and whatever odd text is typed is a form error in Danish."""

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from crm.audit.models import AuditEntry
from crm.contributions import calculation, schemes
from crm.contributions.models import ContributionScheme, TenantSplit, TierBasis
from tests.conftest import post
from tests.contributions.helpers import YEAR


class FormFields(HTMLParser):
    """The values a browser would send back for the page's form (inputs, checked boxes, selects, textareas)."""

    def __init__(self):
        super().__init__()
        self.forms, self.values, self._select, self._textarea = [], {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "form":
            self.values = {}
            self.forms.append(self.values)
        elif tag == "input" and name:
            if attrs.get("type") == "checkbox":
                if "checked" in attrs:
                    self.values[name] = attrs.get("value", "y")
            else:
                self.values[name] = attrs.get("value", "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and ("selected" in attrs or self._select not in self.values):
            self.values[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def form_values(client, url):
    response = client.get(url)
    assert response.status_code == 200
    parser = FormFields()
    parser.feed(response.get_data(as_text=True))
    values = next(form for form in parser.forms if "name" in form)
    values.pop("csrf_token", None)
    # A browser sends a textarea's text without the newline that follows the opening tag.
    values["tiers"] = values.get("tiers", "").replace("\r\n", "\n").removeprefix("\n")
    return values


#: Every kind of amount: whole kroner, thousands, ten thousands, kroner and øre, five øre.
AMOUNTS = {"base_ore": 200_000, "minimum_ore": 5, "maximum_ore": 1_000_000}
TIERS = (calculation.Tier(0, 10, 100_000), calculation.Tier(10, 5_000, 250_050), calculation.Tier(5_000, 20_000, 7),
         calculation.Tier(20_000, None, 1_000_000))


def stored_scheme(db, **values):
    fields = {"year": YEAR, "name": "Model", "base_ore": 0, "tier_basis": TierBasis.AREA, "split_plots": True,
              "owner_share_pct": 60, "tenant_split": TenantSplit.AREA, "minimum_ore": None, "maximum_ore": None,
              "vat": True, "prorate": False, "due_days": 30, "reminder_1_days": 14, "reminder_2_days": 28, **values}
    scheme = schemes.save_scheme(ContributionScheme(), fields, TIERS)
    db.session.commit()
    return scheme


def amounts_of(scheme):
    return (scheme.base_ore, scheme.minimum_ore, scheme.maximum_ore,
            [(tier.lower, tier.upper, tier.amount_ore) for tier in scheme.tiers])


def test_the_edit_form_shows_the_stored_amounts_in_danish(admin_client, db):
    scheme = stored_scheme(db, **AMOUNTS)
    values = form_values(admin_client, f"/contributions/schemes/{scheme.id}/edit")
    assert (values["base"], values["minimum"], values["maximum"]) == ("2.000", "0,05", "10.000")
    assert values["tiers"].splitlines() == ["0; 10; 1.000", "10; 5.000; 2.500,50", "5.000; 20.000; 0,07",
                                            "20.000; ; 10.000"]


@pytest.mark.parametrize("base_ore", [0, 100, 5, 50, 200_000, 1_000_000, 250_050, 123_456_789, 1_000_000_000])
def test_saving_an_unchanged_scheme_changes_no_amount(admin_client, db, base_ore):
    scheme = stored_scheme(db, base_ore=base_ore, minimum_ore=base_ore or None, maximum_ore=1_000_000_000)
    before = amounts_of(scheme)
    values = form_values(admin_client, f"/contributions/schemes/{scheme.id}/edit")
    response = post(admin_client, f"/contributions/schemes/{scheme.id}/edit", values)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert amounts_of(db.session.get(ContributionScheme, scheme.id)) == before
    saved = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "contributions.scheme_saved",
                                                        AuditEntry.object_id == scheme.id)).all()
    assert [set(entry.changes) for entry in saved] == [{"created", "tiers"}], "saved as shown: nothing logged"


def test_saving_every_kind_of_amount_unchanged_twice_changes_nothing(admin_client, db):
    scheme = stored_scheme(db, **AMOUNTS)
    before = amounts_of(scheme)
    for _ in range(2):
        values = form_values(admin_client, f"/contributions/schemes/{scheme.id}/edit")
        assert post(admin_client, f"/contributions/schemes/{scheme.id}/edit", values).status_code == 302
    db.session.expire_all()
    assert amounts_of(db.session.get(ContributionScheme, scheme.id)) == before
    assert db.session.scalar(select(func.count()).select_from(ContributionScheme)) == 1


# Odd input: a form error in Danish, never a server error -----------------------------------------------------------

def scheme_form(**overrides):
    return {"name": "Trinmodel", "year": YEAR, "base": "2.000", "tier_basis": "employees",
            "tiers": "0; 10; 1.000\r\n10; ; 3.000", "owner_share_pct": 100, "tenant_split": "area", "minimum": "",
            "maximum": "", "vat": "y", "prorate": "y", "due_days": 30, "reminder_1_days": 14, "reminder_2_days": 28,
            **overrides}


def text_of(response):
    return " ".join(response.get_data(as_text=True).split())


def schemes_stored(db):
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(ContributionScheme))


def test_tiers_typed_with_windows_line_ends_are_read_line_by_line(admin_client, db):
    response = post(admin_client, "/contributions/schemes/new", scheme_form())
    assert response.status_code == 302
    scheme = db.session.scalar(select(ContributionScheme))
    assert [(tier.lower, tier.upper, tier.amount_ore) for tier in scheme.tiers] == [(0, 10, 100_000),
                                                                                   (10, None, 300_000)]


@pytest.mark.parametrize(("fields", "message"), [
    ({"tiers": "0; 9223372036854775808; 1.000\n9223372036854775808; ; 2.000"}, "Linje 1: tallet er for stort"),
    ({"tiers": "0; 2147483648; 1.000\n2147483648; ; 2.000"}, "Linje 1: tallet er for stort"),
    ({"tiers": "0; 9.223.372.036.854.775.808; 1.000"}, "Linje 1: tallet er for stort"),
    ({"tiers": "0; 10; 1.000\n10; ; 99999999999999999999"}, "Linje 2: Beløbet er for stort"),
    ({"tiers": "0; 1²; 1.000\n1²; ; 2.000"}, "Linje 1: «1²» er ikke et tal"),
    ({"tiers": "0; 10; 1.000\n10;\x01; 2.000"}, "usynligt styretegn"),
    ({"tiers": "0; 10\r; 1.000\n10; ; 2.000"}, "Linje 1: skriv fra; til; beløb."),
    ({"tiers": "0; 10; 1.000\u2028 10; ; 2.000"}, "usynligt styretegn"),
    ({"name": "Model\x01"}, "usynligt styretegn"),
    ({"name": "Model\r\nBcc: x@y.example"}, "usynligt styretegn"),
    ({"base": "2.000\x01"}, "usynligt styretegn"),
    ({"base": "²"}, "«²» er ikke et tal"),
    ({"minimum": "9223372036854775808"}, "Beløbet er for stort"),
    ({"maximum": "1e400"}, "«1e400» er ikke et tal"),
    ({"year": "²"}, "Skriv året som et helt tal mellem 2000 og 2100."),
    ({"year": "9223372036854775808"}, "Skriv året som et helt tal mellem 2000 og 2100."),
    ({"owner_share_pct": "9223372036854775808"}, "Skriv en andel"),
    ({"owner_share_pct": "50\x01"}, "Skriv en andel"),
    ({"due_days": "²"}, "Skriv et helt antal dage"),
    ({"reminder_1_days": "99999999999999999999"}, "Skriv et helt antal dage"),
    ({"tier_basis": "nonsense\x01"}, "Vælg"),
    ({"tenant_split": "x"}, "Vælg"),
])
def test_odd_scheme_input_is_a_danish_form_error(admin_client, db, fields, message):
    response = post(admin_client, "/contributions/schemes/new", scheme_form(**fields))
    assert response.status_code == 422
    assert message in text_of(response)
    assert "\x01" not in response.get_data(as_text=True)
    assert schemes_stored(db) == 0


@pytest.mark.parametrize("fields", [
    {"cvr": "2918\x018548"}, {"reason": "Aftale\x01"}, {"reason": "Aftale\r\nmed direktøren"},
    {"percent": "9223372036854775808", "kind": "discount"}, {"percent": "²", "kind": "discount"},
    {"kind": "nonsense"},
])
def test_odd_adjustment_input_is_refused_in_danish(admin_client, db, make_company, fields):
    company = make_company(status="member")
    scheme = schemes.save_scheme(ContributionScheme(), {
        "year": YEAR, "name": "Model", "base_ore": 100_000, "tier_basis": TierBasis.NONE, "split_plots": False,
        "owner_share_pct": 100, "tenant_split": TenantSplit.AREA, "minimum_ore": None, "maximum_ore": None,
        "vat": True, "prorate": True, "due_days": 30, "reminder_1_days": 14, "reminder_2_days": 28}, ())
    db.session.commit()
    data = {"cvr": company.cvr, "kind": "waiver", "percent": "", "reason": "Aftale", **fields}
    response = post(admin_client, f"/contributions/schemes/{scheme.id}/adjustments", data, follow_redirects=True)
    assert response.status_code == 200
    shown = text_of(response)
    assert 'class="alert alert-error' in response.get_data(as_text=True) or "alert-error" in shown
    assert "\x01" not in shown
    db.session.expire_all()
    assert db.session.get(ContributionScheme, scheme.id).adjustments == []


def test_the_form_draws_its_selects_as_selects_and_marks_no_required_field_optional(admin_client, db):
    page = admin_client.get("/contributions/schemes/new").get_data(as_text=True)
    for name in ("tier_basis", "tenant_split", "unpaid_share"):
        assert re.search(rf'<select [^>]*class="form-select" id="{name}"', page), name
    assert not re.search(r'for="(tier_basis|tenant_split|unpaid_share|year|due_days)">[^<]*<span[^>]*>\(frivilligt',
                         page)
