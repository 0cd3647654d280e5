"""A fictional but plausible Avedøre Holme network: companies, contacts, plots, tenancies, tags and activities.

Used by `flask demo load` (394 companies) and by the benchmark (scale 100: 39,400 companies).

`generate_network()` is pure: the same count, seed and `as_of` give the same network, as plain dicts ready for a
bulk insert. Ids are local to the generated network: companies and plots carry an `id` counted from 1, and the
contacts, tags, activities, plots and tenancies refer to those. `insert_network()` (and `load_network()`, which
generates and inserts) lets the database assign the real ids and rewrites the references, so a network loads into
a database that already holds companies; companies whose CVR is already there are skipped with everything of theirs.

Every name, CVR number and cadastral number is made up. E-mail addresses and websites use the reserved `.example`
top-level domain, so nothing can be mailed or visited for real.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from math import exp
from random import Random
from types import SimpleNamespace

from sqlalchemy import insert, select

from crm.companies.models import (
    Activity,
    ActivityKind,
    Company,
    CompanyRole,
    CompanyStatus,
    CompanyTag,
    Contact,
    LawfulBasis,
    Plot,
    Tenancy,
)
from crm.companies.services import search_text_for
from crm.cvr import CVR_WEIGHTS
from crm.extensions import db

STREETS = ("Hammerholmen", "Jernholmen", "Stamholmen", "Stenholmen", "Kystholmen", "Avedøreholmen")
POSTAL_CODE = "2650"
CITY = "Hvidovre"
CADASTRAL_DISTRICT = "Avedøre By, Avedøre"

#: Industry -> the trade words that make a company name in it.
TRADES = {
    "Transport og logistik": ("Transport", "Vognmandsforretning", "Logistik", "Spedition", "Kurérservice",
                              "Lagerhotel", "Flytteforretning"),
    "Fødevareproduktion": ("Bageri", "Fødevarer", "Pølsemageri", "Kaffebrænderi", "Konditori", "Catering",
                           "Fiskeeksport", "Grønt"),
    "Metalindustri": ("Stål", "Maskinfabrik", "Smedie", "Metal", "Svejseværksted", "Pladeværksted", "Værktøj",
                      "Stålkonstruktion"),
    "Affald og genanvendelse": ("Genbrug", "Genanvendelse", "Affaldsservice", "Containerservice", "Skrot",
                                "Miljøservice"),
    "Bygge og anlæg": ("Byg", "Entreprise", "Tømrer og Snedker", "Murerfirma", "Anlæg", "Betonelementer",
                       "Stilladser", "VVS"),
    "Engroshandel": ("Engros", "Import", "Handelshus", "Grossistforretning", "Trælast", "Farvehandel"),
    "Rengøring": ("Rengøring", "Facility Service", "Vinduespolering", "Erhvervsrengøring"),
    "IT og rådgivning": ("IT", "Data", "Rådgivning", "Software", "Ingeniørfirma", "Consult"),
    "Plast og emballage": ("Plast", "Emballage", "Plastindustri", "Folie", "Kartonnage"),
    "Auto og værksted": ("Autoværksted", "Autolakering", "Dækservice", "Lastbilservice"),
    "El og automation": ("El-service", "Elektro", "Automatik", "El-installation"),
}
INDUSTRY_WEIGHTS = (16, 12, 12, 7, 14, 10, 6, 7, 6, 5, 5)
#: Some landowners only own and let: they get this industry.
PROPERTY_INDUSTRY = "Ejendomsudlejning"
PROPERTY_TRADES = ("Ejendomme", "Ejendomsselskab", "Erhvervsejendomme", "Invest")

PLACES = ("Holmens", "Avedøre", "Hvidovre", "Stenholm", "Hammerholm", "Jernholm", "Kystholm", "Stamholm",
          "Nordisk", "Dansk", "Skandinavisk", "Sjællands", "Vestegnens", "Køge Bugt", "Øresunds", "Søholm",
          "Sønderby", "Brøndby", "Strandens", "Kalvebod")
SURNAMES = ("Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
            "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Poulsen", "Mørch",
            "Kjær", "Bæk", "Søndergaard", "Møller", "Lund", "Holm", "Dahl", "Frederiksen", "Schmidt",
            "Østergaard", "Grøn", "Brøndum", "Skov", "Søgaard", "Damgaard", "Bøgh", "Lykke", "Høj", "Krogh",
            "Friis", "Kjærgaard", "Blæsbjerg", "Ærenlund")
FIRST_NAMES = ("Mette", "Søren", "Jens", "Anne", "Lars", "Hanne", "Bjørn", "Åse", "Kirsten", "Thomas", "Mads",
               "Louise", "Peter", "Camilla", "Henrik", "Birgitte", "Jørgen", "Susanne", "Rasmus", "Pernille",
               "Mikkel", "Line", "Niels", "Tove", "Frederik", "Ida", "Kasper", "Signe", "Morten", "Karen",
               "Øjvind", "Gitte", "Ulrik", "Vibeke", "Christian", "Helle", "Jesper", "Marianne", "Torben", "Sanne")
LEGAL_FORMS = ("ApS", "A/S", "I/S")
LEGAL_FORM_WEIGHTS = (55, 35, 10)
PRIMARY_TITLES = ("Direktør", "Indehaver", "Administrerende direktør")
OTHER_TITLES = ("Driftschef", "Miljøkoordinator", "Økonomiansvarlig", "Produktionschef", "Kontorchef",
                "HR-ansvarlig", "Bogholder", "Salgschef", "Lagerchef")
#: Tag -> the share of members that carry it (natur: 19 of 394 companies set land aside for nature).
TAG_SHARES = {"nyhedsbrev": 0.45, "affald": 0.20, "energi": 0.15, "vand": 0.08, "kommunikation": 0.06,
              "natur": 0.05, "bestyrelse": 0.03}
DESCRIPTIONS = (
    "Familieejet virksomhed på Avedøre Holme siden {year}.",
    "Har produktion og lager på Avedøre Holme.",
    "Del af en større koncern; afdelingen på Holmen har {employees} ansatte.",
    "Interesseret i fælles indkøb af grøn energi.",
    "Vil gerne i kontakt med naboer om deling af overskudsmaterialer.",
    "Flyttede til Avedøre Holme i {year} fra lokaler i København.",
)
ACTIVITY_TEXTS = {
    ActivityKind.NOTE: (
        "Interesseret i den fælles affaldsordning.",
        "Spørger til deling af overskudsvarme med naboerne.",
        "Ny kontaktperson; kontaktoplysninger opdateret.",
        "Overvejer at afsætte en del af grunden til vild natur.",
        "Ønsker invitation til næste netværksmøde.",
        "Har materialer til byttecentralen: paller og emballage.",
    ),
    ActivityKind.CALL: (
        "Ringede til {name} om kontingentet for næste år.",
        "Opkald fra {name}: spørgsmål om opsamling af regnvand.",
        "Talte med {name} om energigruppens solcelleprojekt.",
        "Ringede til {name} om tilmelding til netværksmødet.",
    ),
    ActivityKind.VISIT: (
        "Besøg hos {name} på {street}: rundvisning i produktionen.",
        "Virksomhedsbesøg med erhvervsteamet; drøftede energisamarbejde.",
        "Besøgte {name} og så på pladsen til en fælles container.",
    ),
}
ACTIVITY_KIND_WEIGHTS = (50, 30, 20)
CONSENT_TEXT_VERSION = "2024-1"
CONSENT_FROM = date(2024, 1, 1)
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


def load_network(count=394, seed=2024, *, activities_per_company=0, as_of=None):
    """Generate the network and insert what the database lacks; return the number of companies created."""
    network = generate_network(count, seed, activities_per_company=activities_per_company, as_of=as_of)
    return insert_network(network)


def insert_network(network):
    """Bulk-insert a generated network, skipping companies whose CVR exists; flush, never commit.

    Returns the number of companies created. The database assigns the ids; the rows' references are mapped.
    """
    session = db.session
    session.flush()
    existing_cvrs = _existing(Company.cvr, [company["cvr"] for company in network.companies])
    new_companies = [company for company in network.companies if company["cvr"] not in existing_cvrs]
    company_ids = _insert_and_map_ids(Company, Company.cvr, new_companies)

    existing_plots = _existing(Plot.cadastral_number, [plot["cadastral_number"] for plot in network.plots])
    new_plots = [plot for plot in network.plots
                 if plot["owner_id"] in company_ids and plot["cadastral_number"] not in existing_plots]
    plot_ids = _insert_and_map_ids(Plot, Plot.cadastral_number,
                                   [{**plot, "owner_id": company_ids[plot["owner_id"]]} for plot in new_plots])

    _insert(Tenancy, [{**tenancy, "plot_id": plot_ids[tenancy["plot_id"]],
                       "company_id": company_ids[tenancy["company_id"]]}
                      for tenancy in network.tenancies
                      if tenancy["plot_id"] in plot_ids and tenancy["company_id"] in company_ids])
    for model, rows in ((Contact, network.contacts), (CompanyTag, network.tags), (Activity, network.activities)):
        _insert(model, [{**row, "company_id": company_ids[row["company_id"]]}
                        for row in rows if row["company_id"] in company_ids])
    session.flush()
    return len(new_companies)


# Generation ------------------------------------------------------------------------------------------------------

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
        "cvr": _cvr(rng, cvrs),
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


def _cvr(rng, taken):
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


# Loading ---------------------------------------------------------------------------------------------------------

_CHUNK = 500  # values per IN (...) list


def _existing(column, values):
    """Which of `values` the column already holds."""
    found = set()
    for start in range(0, len(values), _CHUNK):
        found.update(db.session.scalars(select(column).where(column.in_(values[start:start + _CHUNK]))))
    return found


def _insert_and_map_ids(model, key, rows):
    """Insert rows carrying a network-local `id`; return {local id: database id}, matched by a unique key.

    (Matched afterwards rather than through INSERT ... RETURNING, which SQLite runs row by row when the
    order must be kept: ten times slower at 39,400 companies.)
    """
    _insert(model, [{name: value for name, value in row.items() if name != "id"} for row in rows])
    local_ids = {row[key.key]: row["id"] for row in rows}
    values = list(local_ids)
    ids = {}
    for start in range(0, len(values), _CHUNK):
        chunk = values[start:start + _CHUNK]
        for database_id, value in db.session.execute(select(model.id, key).where(key.in_(chunk))):
            ids[local_ids[value]] = database_id
    return ids


def _insert(model, rows):
    if rows:
        db.session.execute(insert(model), rows)
