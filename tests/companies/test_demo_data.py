"""The fictional demo network: valid, plausible, deterministic; loaded once, with its search text in step."""

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from crm.companies.demo_data import generate_network, load_network
from crm.companies.models import Activity, Company, CompanyRole, CompanyStatus, CompanyTag, Contact, Plot, Tenancy
from crm.companies.services import search_text_for
from crm.cvr import is_valid_cvr

AS_OF = date(2026, 6, 1)
STREETS = {"Hammerholmen", "Jernholmen", "Stamholmen", "Stenholmen", "Kystholmen", "Avedøreholmen"}
OWNING = {CompanyRole.OWNER, CompanyRole.BOTH}


@pytest.fixture(scope="module")
def network():
    return generate_network(as_of=AS_OF)


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_394_companies_with_unique_valid_cvrs_and_names_on_the_holme_streets(network):
    companies = network.companies
    assert len(companies) == 394
    cvrs = [company["cvr"] for company in companies]
    assert all(is_valid_cvr(cvr) and cvr.isdigit() and len(cvr) == 8 for cvr in cvrs)
    assert len(set(cvrs)) == 394
    assert len({company["name"] for company in companies}) == 394
    for company in companies:
        street, number = company["street"].rsplit(" ", 1)
        assert street in STREETS and 1 <= int(number) <= 120
        assert (company["postal_code"], company["city"]) == ("2650", "Hvidovre")
    assert sum(any(letter in company["name"] for letter in "æøåÆØÅ") for company in companies) > 100


def test_the_same_seed_gives_the_same_network_and_another_seed_another(network):
    assert generate_network(as_of=AS_OF) == network
    other = generate_network(seed=7, as_of=AS_OF)
    assert [company["cvr"] for company in other.companies] != [company["cvr"] for company in network.companies]
    assert [company["name"] for company in other.companies] != [company["name"] for company in network.companies]


def test_roles_statuses_and_land_look_like_the_area(network):
    companies = network.companies
    roles = Counter(company["role"] for company in companies)
    assert 0.25 < roles[CompanyRole.OWNER] / 394 < 0.45
    assert 0.45 < roles[CompanyRole.TENANT] / 394 < 0.65
    assert 0.04 < roles[CompanyRole.BOTH] / 394 < 0.16
    statuses = Counter(company["status"] for company in companies)
    assert statuses[CompanyStatus.MEMBER] / 394 > 0.7 and statuses[CompanyStatus.LEFT] > 0
    for company in companies:
        assert 1 <= company["employees"] <= 450
        if company["role"] in OWNING:
            assert 1500 <= company["area_m2"] <= 60000 and company["area_m2"].as_tuple().exponent >= -2
        if company["status"] == CompanyStatus.LEFT:
            assert company["joined_on"] < company["left_on"] < AS_OF
        elif company["status"] == CompanyStatus.MEMBER:
            assert date(2015, 1, 1) <= company["joined_on"] <= date(2024, 12, 31) and company["left_on"] is None
    assert sum(company["area_m2"] is None for company in companies if company["role"] == CompanyRole.TENANT) > 150
    assert all(company["website"].endswith(".example") for company in companies if company["website"])


def test_every_company_has_one_primary_contact_and_unique_emails(network):
    contacts_of = defaultdict(list)
    for contact in network.contacts:
        contacts_of[contact["company_id"]].append(contact)
    assert 700 < len(network.contacts) < 850
    for company in network.companies:
        contacts = contacts_of[company["id"]]
        assert 1 <= len(contacts) <= 3
        assert sum(contact["is_primary"] for contact in contacts) == 1
        emails = [contact["email"] for contact in contacts]
        assert len(set(emails)) == len(emails)
        assert all(email.isascii() and email.endswith(".example") for email in emails)
    consenting = [contact for contact in network.contacts if contact["newsletter_consent"]]
    assert 0.3 < len(consenting) / len(network.contacts) < 0.5
    assert all(contact["consent_at"].tzinfo is not None and contact["consent_text_version"] == "2024-1"
               for contact in consenting)


def test_owners_own_plots_and_some_tenants_rent_them(network):
    companies = {company["id"]: company for company in network.companies}
    owners = {company_id for company_id, company in companies.items() if company["role"] in OWNING}
    assert {plot["owner_id"] for plot in network.plots} == owners
    assert len({plot["cadastral_number"] for plot in network.plots}) == len(network.plots)
    land = defaultdict(int)
    for plot in network.plots:
        land[plot["owner_id"]] += plot["area_m2"]
        assert plot["address"].rsplit(" ", 1)[0] == companies[plot["owner_id"]]["street"].rsplit(" ", 1)[0]
    assert all(abs(land[owner] - companies[owner]["area_m2"]) < 1 for owner in owners)
    tenants = [company for company in network.companies if company["role"] == CompanyRole.TENANT]
    renting = {tenancy["company_id"] for tenancy in network.tenancies}
    assert 0.45 < len(renting & {tenant["id"] for tenant in tenants}) / len(tenants) < 0.75
    assert {companies[company_id]["role"] for company_id in renting} <= {CompanyRole.TENANT, CompanyRole.BOTH}
    assert any(tenancy["to_date"] for tenancy in network.tenancies)


def test_activities_are_made_only_when_asked_for():
    assert generate_network(20, as_of=AS_OF).activities == []
    activities = generate_network(20, activities_per_company=2, as_of=AS_OF).activities
    assert Counter(activity["company_id"] for activity in activities) == {company_id: 2 for company_id in range(1, 21)}
    since = datetime.combine(AS_OF - timedelta(days=3 * 366), datetime.min.time(), UTC)
    assert all(since <= activity["occurred_at"] < datetime.combine(AS_OF, datetime.min.time(), UTC)
               for activity in activities)


def test_load_network_creates_the_companies_with_their_search_text_in_step(db):
    before = count(db, Company)
    assert load_network(as_of=AS_OF) == 394
    assert count(db, Company) == before + 394
    three_contacts = (select(Contact.company_id).group_by(Contact.company_id)
                      .having(func.count() == 3).limit(20))
    sample = db.session.scalars(select(Company).where(Company.id.in_(three_contacts))).all()
    sample += db.session.scalars(select(Company).order_by(Company.id.desc()).limit(20)).all()
    assert len(sample) == 40
    for company in sample:
        assert company.search_text == search_text_for(company, company.contacts)
        assert company.primary_contact is not None and company.primary_contact.email in company.search_text


def test_loaded_plots_and_tenancies_belong_to_the_right_companies(db, network):
    load_network(as_of=AS_OF)
    generated = {company["id"]: company["cvr"] for company in network.companies}
    owner_cvr = {plot["cadastral_number"]: generated[plot["owner_id"]] for plot in network.plots}
    plots = db.session.scalars(select(Plot).where(Plot.cadastral_number.in_(list(owner_cvr)))).all()
    assert len(plots) == len(network.plots)
    assert all(plot.owner.cvr == owner_cvr[plot.cadastral_number] for plot in plots)
    plot_numbers = {plot["id"]: plot["cadastral_number"] for plot in network.plots}
    expected = {(plot_numbers[tenancy["plot_id"]], generated[tenancy["company_id"]])
                for tenancy in network.tenancies}
    loaded = db.session.execute(select(Plot.cadastral_number, Company.cvr).select_from(Tenancy)
                                .join(Plot, Tenancy.plot_id == Plot.id).join(Company, Tenancy.company_id == Company.id)
                                .where(Plot.cadastral_number.in_(list(owner_cvr))))
    assert set(loaded) == expected


def test_loading_twice_creates_nothing_the_second_time(db):
    load_network(as_of=AS_OF)
    models = (Company, Contact, Plot, Tenancy, CompanyTag)
    counts = [count(db, model) for model in models]
    assert load_network(as_of=AS_OF) == 0
    assert [count(db, model) for model in models] == counts


def test_a_company_already_registered_keeps_its_details_and_the_rest_is_loaded(db, network):
    owner = next(company for company in network.companies if company["role"] == CompanyRole.OWNER)
    db.session.add(Company(cvr=owner["cvr"], name="Allerede Registreret ApS"))
    db.session.flush()
    assert load_network(as_of=AS_OF) == 393
    company = db.session.scalars(select(Company).where(Company.cvr == owner["cvr"])).one()
    assert company.name == "Allerede Registreret ApS"
    assert company.contacts == []
    assert count(db, Plot) == len([plot for plot in network.plots if plot["owner_id"] != owner["id"]])


def test_loaded_activities_are_on_the_timeline(db):
    before = count(db, Activity)
    assert load_network(30, activities_per_company=2, as_of=AS_OF) == 30
    assert count(db, Activity) == before + 60
    latest = db.session.scalar(select(func.max(Activity.occurred_at)))
    assert latest.tzinfo is not None


def test_searching_for_so_finds_companies(db):
    load_network(as_of=AS_OF)
    found = db.session.scalars(select(Company.name).where(Company.search_text.contains("sø"))).all()
    assert len(found) >= 5
    assert sum("sø" in name.lower() for name in found) >= 5
