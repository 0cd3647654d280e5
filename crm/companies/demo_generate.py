"""Generating the demo network (pure): made-up companies, contacts, plots, tenancies, tags and activities.

The same count, seed and `as_of` give the same network, as plain dicts ready for the bulk insert in
crm.companies.demo_data.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from math import exp
from random import Random
from types import SimpleNamespace

from crm.companies.demo_words import (
    ACTIVITY_KIND_WEIGHTS,
    ACTIVITY_TEXTS,
    CADASTRAL_DISTRICT,
    CITY,
    CONSENT_FROM,
    CONSENT_TEXT_VERSION,
    DESCRIPTIONS,
    FIRST_NAMES,
    INDUSTRY_WEIGHTS,
    LEGAL_FORM_WEIGHTS,
    LEGAL_FORMS,
    OTHER_TITLES,
    PLACES,
    POSTAL_CODE,
    PRIMARY_TITLES,
    PROPERTY_INDUSTRY,
    PROPERTY_TRADES,
    STREETS,
    SURNAMES,
    TAG_SHARES,
    TRADES,
)
from crm.companies.models import CompanyRole, CompanyStatus, LawfulBasis
from crm.companies.services import search_text_for
from crm.cvr import CVR_WEIGHTS

_ASCII_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})
_LEGAL_FORM_SUFFIX = re.compile(r"\s+(ApS|A/S|I/S)$")


@dataclass
class NetworkData:
    """A generated network: rows for a bulk insert, referring to each other by network-local ids."""

    companies: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    plots: list = field(default_factory=list)
    tenancies: list = field(default_factory=list)
    tags: list = field(default_factory=list)
    activities: list = field(default_factory=list)


def generate_network(count=394, seed=2024, *, activities_per_company=0, as_of=None):
    """A fictional network of `count` companies; the same arguments give the same network.

    `as_of` (a date, default today in UTC) anchors what lies in the recent past: consents, leavings and the
    activities spread over the three years before it. Companies and plots carry network-local ids from 1.
    """
    as_of = as_of or datetime.now(UTC).date()
    rng = Random(seed)
    network = NetworkData()
    cvrs, names = set(), set()
    for company_id in range(1, count + 1):
        network.companies.append(_company(rng, company_id, cvrs, names, as_of))
    _add_plots_and_tenancies(rng, network, as_of)
    for company in network.companies:
        contacts = _contacts(rng, company, as_of)
        network.contacts.extend(contacts)
        network.tags.extend(_tags(rng, company))
        for _ in range(activities_per_company):
            network.activities.append(_activity(rng, company, contacts[0], as_of))
        ordered = sorted(contacts, key=lambda contact: (not contact["is_primary"], contact["name"]))
        company["search_text"] = search_text_for(
            SimpleNamespace(**company), [SimpleNamespace(**contact) for contact in ordered]
        )
    return network


def _company(rng, company_id, cvrs, names, as_of):
    role = rng.choices((CompanyRole.OWNER, CompanyRole.TENANT, CompanyRole.BOTH), weights=(35, 55, 10))[0]
    industry, name = _company_name(rng, names, landlord=role == CompanyRole.OWNER and rng.random() < 0.2)
    status = rng.choices((CompanyStatus.MEMBER, CompanyStatus.INVITED, CompanyStatus.LEFT), weights=(80, 15, 5))[0]
    joined_on = left_on = None
    if status != CompanyStatus.INVITED:
        joined_on = _random_date(rng, date(2015, 1, 1), date(2024, 12, 31))
    if status == CompanyStatus.LEFT:
        earliest = joined_on + timedelta(days=90)
        left_on = _random_date(rng, earliest, max(earliest, as_of - timedelta(days=1)))
    employees = min(450, max(1, round(rng.lognormvariate(2.0, 1.1))))
    street = f"{rng.choice(STREETS)} {rng.randint(1, 120)}"
    if role == CompanyRole.TENANT:
        area = Decimal(f"{rng.randrange(150, 8000)}.00") if rng.random() < 0.15 else None
    else:
        whole = min(59_999, max(1_500, round(exp(rng.gauss(9.0, 0.8)))))
        area = Decimal(f"{whole}.{rng.choice(('00', '00', '00', '50', '25'))}")
    created_on = joined_on or _random_date(rng, date(2023, 1, 1), date(2024, 12, 31))
    created_at = datetime.combine(created_on, time(rng.randint(7, 14), rng.randrange(60)), UTC)
    slug = _slug(name)
    description = ""
    if rng.random() < 0.6:
        description = rng.choice(DESCRIPTIONS).format(year=rng.randint(1965, 2020),
                                                      employees=employees)
    return {
        "id": company_id,
        "cvr": new_cvr(rng, cvrs),
        "name": name,
        "street": street,
        "postal_code": POSTAL_CODE,
        "city": CITY,
        "role": role,
        "employees": employees,
        "area_m2": area,
        "industry": industry,
        "status": status,
        "joined_on": joined_on,
        "left_on": left_on,
        "website": f"https://www.{slug}.example" if rng.random() < 0.5 else "",
        "advertising_protected": rng.random() < 0.15,
        "description": description,
        "search_text": "",
        "created_at": created_at,
        "updated_at": created_at,
    }


def _company_name(rng, names, *, landlord):
    """(industry, a unique name) such as "Holmens Stål ApS" or "Jensen & Søn Transport A/S"."""
    for attempt in range(4):
        if landlord:
            industry, trade = PROPERTY_INDUSTRY, rng.choice(PROPERTY_TRADES)
        else:
            industry = rng.choices(tuple(TRADES), weights=INDUSTRY_WEIGHTS)[0]
            trade = rng.choice(TRADES[industry])
        form = rng.choices(LEGAL_FORMS, weights=LEGAL_FORM_WEIGHTS)[0]
        surname = rng.choice(SURNAMES)
        pattern = rng.randrange(5)
        if pattern == 0:
            base = f"{rng.choice(PLACES)} {trade}"
        elif pattern == 1:
            base = f"{surname} & {rng.choice(('Søn', 'Søn', 'Sønner'))} {trade}"
        elif pattern == 2:
            base = f"{_genitive(surname)} {trade}"
        elif pattern == 3:
            base = f"{surname} {trade}"
        else:
            partner = rng.choice([other for other in SURNAMES if other != surname])
            base = f"{surname} & {partner} {trade}"
        name = f"{base} {form}"
        if attempt == 3:
            # Danish companies tell same-named firms apart by the year they were founded: "... af 2011 ApS".
            year = rng.randint(1970, 2024)
            while (name := f"{base} af {year} {form}") in names:
                year = year + 1 if year < 2024 else 1950
        if name not in names:
            names.add(name)
            return industry, name
    raise AssertionError("unreachable")


def _genitive(surname):
    return f"{surname}'" if surname[-1] in "sxz" else f"{surname}s"


def new_cvr(rng, taken):
    """A fictional CVR number with a valid modulus-11 check, not yet in `taken`."""
    while True:
        digits = str(rng.randrange(4_000_000, 10_000_000))
        check = -sum(int(digit) * weight for digit, weight in zip(digits, CVR_WEIGHTS, strict=False)) % 11
        if check == 10:
            continue
        cvr = f"{digits}{check}"
        if cvr not in taken:
            taken.add(cvr)
            return cvr


def _add_plots_and_tenancies(rng, network, as_of):
    """Landowners own 1-3 plots on their street; about 60 % of tenants (and some "both") rent one."""
    cadastral_numbers = set()
    for company in network.companies:
        if company["role"] == CompanyRole.TENANT:
            continue
        street, number = company["street"].rsplit(" ", 1)
        shares = [rng.uniform(0.5, 1.5) for _ in range(rng.choices((1, 2, 3), weights=(50, 35, 15))[0])]
        total = company["area_m2"]
        whole = int(total)
        remaining = total
        for index, share in enumerate(shares):
            if index == len(shares) - 1:
                area = remaining
            else:
                area = Decimal(f"{int(whole * share / sum(shares))}.00")
                remaining -= area
            house = int(number) if index == 0 else min(120, max(1, int(number) + rng.randint(-6, 6)))
            network.plots.append({
                "id": len(network.plots) + 1,
                "cadastral_number": _cadastral_number(rng, cadastral_numbers),
                "address": f"{street} {house}",
                "area_m2": area,
                "owner_id": company["id"],
            })
    if not network.plots:
        return
    plots_by_owner = {}
    for plot in network.plots:
        plots_by_owner.setdefault(plot["owner_id"], []).append(plot)
    for company in network.companies:
        share = {CompanyRole.TENANT: 0.6, CompanyRole.BOTH: 0.4}.get(company["role"], 0)
        if rng.random() >= share:
            continue
        plot = rng.choice(network.plots)
        if plot["owner_id"] == company["id"]:
            continue
        from_date = _random_date(rng, date(2016, 1, 1), date(2024, 12, 31))
        to_date = None
        if rng.random() < 0.15:
            earliest = from_date + timedelta(days=365)
            to_date = _random_date(rng, earliest, max(earliest, as_of - timedelta(days=1)))
        elif company["role"] == CompanyRole.TENANT:
            company["street"] = plot["address"]  # a tenant's address is the plot it rents
        network.tenancies.append({"plot_id": plot["id"], "company_id": company["id"],
                                  "from_date": from_date, "to_date": to_date})


def _cadastral_number(rng, taken):
    """A unique matrikelnummer such as "12ab Avedøre By, Avedøre"."""
    while True:
        letters = "".join(rng.choice("abcdefghikmnopqrstuvxyz") for _ in range(rng.choices((0, 1, 2),
                                                                                           weights=(2, 4, 4))[0]))
        number = f"{rng.randint(1, 799)}{letters} {CADASTRAL_DISTRICT}"
        if number not in taken:
            taken.add(number)
            return number


def _contacts(rng, company, as_of):
    """1-3 contacts with unique e-mails at the company's domain; the first is the primary contact."""
    domain = f"{_slug(company['name'])}.example"
    contacts, emails = [], set()
    size = rng.choices((1, 2, 3), weights=(30, 45, 25))[0]
    for index in range(size):
        while True:
            first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            email = f"{_ascii(first)}.{_ascii(last)}@{domain}".lower()
            # The contact list is ordered primary first, then by name: two secondary contacts get plain,
            # different initials so that every database collation orders them alike.
            if email in emails or (size == 3 and index and not _plain_initial(first, contacts[1:])):
                continue
            break
        emails.add(email)
        middle = f"{rng.choice(SURNAMES)} " if rng.random() < 0.15 else ""
        if index == 0:
            title = "Indehaver" if company["employees"] < 10 and rng.random() < 0.5 else rng.choice(PRIMARY_TITLES)
        else:
            title = rng.choice(OTHER_TITLES)
        consent = rng.random() < 0.4
        contacts.append({
            "company_id": company["id"],
            "name": f"{first} {middle}{last}",
            "title": title,
            "email": email,
            "phone": "+45 " + " ".join(f"{rng.randint(20 if n == 0 else 0, 99):02d}" for n in range(4)),
            "is_primary": index == 0,
            "lawful_basis": LawfulBasis.LEGITIMATE_INTEREST,
            "source": "demo",
            "newsletter_consent": consent,
            "consent_at": _random_moment(rng, CONSENT_FROM, as_of) if consent else None,
            "consent_text_version": CONSENT_TEXT_VERSION if consent else None,
            "consent_channel": "portal" if consent else None,
            "created_at": company["created_at"],
        })
    return contacts


def _plain_initial(first, others):
    """An A-Z initial (not "Aa", which Danish collation sorts as Å) that none of `others` starts with."""
    return first[0].isascii() and not first.startswith("Aa") and all(o["name"][0] != first[0] for o in others)


def _tags(rng, company):
    shares = TAG_SHARES if company["status"] == CompanyStatus.MEMBER else {"nyhedsbrev": TAG_SHARES["nyhedsbrev"]}
    return [{"company_id": company["id"], "tag": tag} for tag, share in shares.items() if rng.random() < share]


def _activity(rng, company, primary, as_of):
    kind = rng.choices(tuple(ACTIVITY_TEXTS), weights=ACTIVITY_KIND_WEIGHTS)[0]
    text = rng.choice(ACTIVITY_TEXTS[kind]).format(name=primary["name"].split()[0], street=company["street"])
    occurred_at = _random_moment(rng, as_of - timedelta(days=3 * 365), as_of)
    return {"company_id": company["id"], "kind": kind, "text": text, "author_id": None, "object_type": None,
            "object_id": None, "occurred_at": occurred_at, "created_at": occurred_at}


def _random_date(rng, first, last):
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _random_moment(rng, first, before):
    """A UTC moment in working hours on a day from `first` up to the day before `before`."""
    day = _random_date(rng, first, max(first, before - timedelta(days=1)))
    return datetime.combine(day, time(rng.randint(6, 15), rng.randrange(60), rng.randrange(60)), UTC)


def _ascii(text):
    """Danish letters folded the Danish way (æ -> ae, ø -> oe, å -> aa), other accents dropped."""
    folded = unicodedata.normalize("NFKD", text.translate(_ASCII_FOLD))
    return "".join(char for char in folded if char.isascii())


def _slug(name):
    """The name without its legal form as a domain label: "Jensen & Søn Transport A/S" -> jensen-soen-transport."""
    return re.sub(r"[^a-z0-9]+", "-", _ascii(_LEGAL_FORM_SUFFIX.sub("", name)).lower()).strip("-")
