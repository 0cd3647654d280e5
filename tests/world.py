"""One realistic world for the generic tests: every kind of object the app keeps, filled in as the network would
fill it in (Danish text with æøå, decimals, tags, consent, plots with tenants, a meeting with agenda, minutes and
action items, a working group with figures, an adopted contribution scheme with tiers and adjustments, invoices,
the outbox, portal users and their requests), logged-in clients per role, and the map from URL argument names to
the world's objects.

A new route whose arguments are named as in URL_ARGUMENTS is covered by the generic tests with no new test; a new
argument name makes them fail until it is added here.
"""

import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from crm.api import tokens as api_tokens
from crm.audit.models import AuditEntry, ErasureRequest
from crm.auth import services as auth_services
from crm.auth.models import LinkPurpose
from crm.auth.two_factor import PENDING
from crm.companies.models import (
    Activity,
    ActivityKind,
    Company,
    CompanyImport,
    CompanyRole,
    CompanyStatus,
    CompanyTag,
    Contact,
    LawfulBasis,
    Plot,
    Tenancy,
)
from crm.companies.services import search_text_for
from crm.contributions.models import (
    AdjustmentKind,
    Contribution,
    ContributionAdjustment,
    ContributionScheme,
    ContributionState,
    ContributionTier,
    InvoiceSequence,
    Payment,
    ReminderHold,
    TenantSplit,
    TierBasis,
)
from crm.contributions.statement_models import BankStatement, BankTransaction, StatementStatus, TransactionState
from crm.exchange.case_models import CaseKind, CaseOutcome, CasePartner, GreenCase
from crm.exchange.listings import search_text_of
from crm.exchange.models import (
    Conversation,
    ExchangeCategory,
    Listing,
    ListingKind,
    ListingPicture,
    ListingState,
    Message,
    SavingsFactor,
    Unit,
)
from crm.groups.models import (
    GroupDocument,
    GroupMembership,
    Initiative,
    InitiativeFigure,
    InitiativeStatus,
    MemberRole,
    MembershipRequest,
    RequestKind,
    WorkingGroup,
)
from crm.joining.models import JoinRequest
from crm.mail.models import EmailStatus, MassMailing, Newsletter
from crm.mail.newsletters import unsubscribe_token
from crm.mail.services import queue_email
from crm.meetings import calendar_feed
from crm.meetings.invitations import rsvp_token
from crm.meetings.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Invitation,
    Meeting,
    MeetingAttachment,
    MeetingKind,
    MeetingStatus,
    Rsvp,
)
from crm.partnership.models import AgreementVersion, Signature, SignatureKind
from crm.reports.models import ReportGoal
from crm.security import Role
from tests.conftest import PASSWORD, enrol_two_factor, valid_cvr

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082")
ROLES = ("admin", "staff", "company")


def valid_ean(body12):
    """A 13-digit EAN/GLN with its GS1 check digit."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


@dataclass
class World:
    company: Company
    tenant: Company
    neighbour: Company
    contact: Contact
    colleague: Contact
    plot: Plot
    group: WorkingGroup
    membership: GroupMembership
    initiative: Initiative
    document: GroupDocument
    group_request: MembershipRequest
    meeting: Meeting
    past_meeting: Meeting
    agenda_item: AgendaItem
    action_item: ActionItem
    attachment: MeetingAttachment
    invitation: Invitation
    scheme: ContributionScheme
    scenario: ContributionScheme
    adjustment: ContributionAdjustment
    contribution: Contribution
    draft: Contribution
    email: object
    failed_email: object
    mass_mailing: object
    company_import: CompanyImport
    erasure: ErasureRequest
    company_user: object
    colleague_user: object
    users: dict
    join_request: JoinRequest = None
    goal: ReportGoal = None
    agreement: AgreementVersion = None
    manual_goal: ReportGoal = None
    tokens: dict = field(default_factory=dict)
    #: Bank statements: "statement" (a CSV awaiting confirmation), "transaction" (unmatched), "matched"
    bank: dict = field(default_factory=dict)
    #: Green-transition cases: "case" (a screening that went on), "partner" (active), "retired" (a retired partner)
    cases: dict = field(default_factory=dict)
    #: Each role's user's personal API token (ApiToken), so /account/tokens shows a revoke form to every role.
    api_tokens: dict = field(default_factory=dict)
    #: The swap centre: "listing" (the company's open offer with a picture and a conversation with the tenant),
    #: "other" (the tenant's open need), "hidden" (the neighbour's, hidden by staff), "picture", "conversation",
    #: "message" (the tenant's), "category", "factor"
    exchange: dict = field(default_factory=dict)
    clients: dict = field(default_factory=dict)
    #: URL argument values, read once: a route may delete the object, and its id is still asked for afterwards.
    ids: dict = field(default_factory=dict)
    alternates: dict = field(default_factory=dict)


def _bank(db, contribution, today):
    """A loaded statement with an unmatched and a matched transaction, and a CSV statement awaiting confirmation."""
    loaded = BankStatement(filename="kontoudskrift.xml", kind="camt053", data=b"", status=StatementStatus.DONE)
    waiting = BankStatement(filename="bank.csv", kind="csv", mapping={"date": 0, "text": 1, "amount": 2},
                            data="Dato;Tekst;Beløb\n01-03-2031;Faktura 2031-1;100,00\n".encode())
    db.session.add_all([loaded, waiting])
    db.session.flush()
    unmatched = BankTransaction(statement_id=loaded.id, identity="world:1", booked_on=today, amount_ore=12_345,
                                payer="Ukendt Firma ApS", text="Gave", state=TransactionState.UNMATCHED,
                                reason="Intet betalings-id")
    matched = BankTransaction(statement_id=loaded.id, identity="world:2", booked_on=today, amount_ore=50_000,
                              payer="Holme Genbrug", text="Rate", state=TransactionState.MATCHED,
                              reason="Fakturanummer i teksten")
    db.session.add_all([unmatched, matched])
    db.session.flush()
    db.session.add(Payment(contribution_id=contribution.id, paid_on=today, amount_ore=50_000, reference="Bank",
                           transaction_id=matched.id))
    contribution.paid_ore += 50_000
    return {"statement": waiting, "transaction": unmatched, "matched": matched}


def _cases(db, company, contact, author, today):
    """A screening for symbiosis that went on, with an active partner and the company's contact; a retired
    partner."""
    partner = CasePartner(name="Klimarådgiverne & Co. ApS")
    retired = CasePartner(name="Gammel Rådgiver I/S", active=False)
    db.session.add_all([partner, retired])
    db.session.flush()
    case = GreenCase(company_id=company.id, contact_id=contact.id, kind=CaseKind.SCREENING, partner_id=partner.id,
                     started_on=date(today.year, 1, 15), ended_on=date(today.year, 1, 31),
                     outcome=CaseOutcome.WENT_ON, created_by_id=author.id,
                     note="Træ og pap til naboen.\r\nKaren Ærø Sørensen følger op – 38 paller.")
    db.session.add(case)
    db.session.flush()
    return {"case": case, "partner": partner, "retired": retired}
def _exchange(db, company, tenant, neighbour, users, now):
    """The swap centre: an offer with a picture and a conversation, a need, a hidden listing."""
    pallets = db.session.scalars(select(ExchangeCategory).where(ExchangeCategory.slug == "paller")).one()
    factor = db.session.scalars(select(SavingsFactor).where(SavingsFactor.category_id == pallets.id)).first()

    def listing(owner, kind, title, **values):
        row = Listing(**{"company_id": owner.id, "kind": kind, "category_id": pallets.id, "title": title,
                         "quantity": Decimal("40"), "unit": Unit.PIECES, "state": ListingState.OPEN,
                         "published_at": now, **values})
        row.search_text = search_text_of(row, pallets.name)
        db.session.add(row)
        return row

    offer = listing(company, ListingKind.OFFER, "40 EUR-paller – hele og rene", description="Hentes på pladsen.\r\n"
                    "Ring ikke; skriv her.", price_ore=None, waste_code="150103")
    need = listing(tenant, ListingKind.NEED, "Søger stålrester", price_ore=50_000)
    hidden = listing(neighbour, ListingKind.OFFER, "Brugte dæk", state=ListingState.HIDDEN,
                     hidden_reason="Dæk tages ikke i byttecentralen.")
    db.session.flush()
    picture = ListingPicture(listing_id=offer.id, content_type="image/png", data=PNG, width=1, height=1)
    conversation = Conversation(listing_id=offer.id, company_id=tenant.id, last_message_at=now)
    db.session.add_all([picture, conversation])
    db.session.flush()
    message = Message(conversation_id=conversation.id, company_id=tenant.id, author_name="Søren Ørsted",
                      body="Vi tager gerne 20 af dem – kan vi hente på torsdag?", created_at=now)
    db.session.add_all([message, Message(conversation_id=conversation.id, company_id=company.id,
                                         author_id=users["company"].id, author_name="Karen Ærø Sørensen",
                                         body="Ja, mellem 8 og 15.", created_at=now)])
    db.session.flush()
    return {"listing": offer, "other": need, "hidden": hidden, "picture": picture, "conversation": conversation,
            "message": message, "category": pallets, "factor": factor}


def _company(db, serial, **values):
    company = Company(cvr=valid_cvr(900_000 + serial * 7), **values)
    company.search_text = search_text_for(company)
    db.session.add(company)
    return company


def build_world(db, app):
    """Fill the database as a season of the network's work would, and log in a client per role."""
    today = date.today()
    now = datetime.now(UTC).replace(microsecond=0)
    year = today.year

    company = _company(
        db, 1, name="Holme Genbrug & Miljø A/S", street="Stamholmen 151", postal_code="2650", city="Hvidovre",
        role=CompanyRole.OWNER, employees=42, area_m2=Decimal("12500.50"), industry="Affaldshåndtering og genbrug",
        status=CompanyStatus.MEMBER, joined_on=date(2019, 3, 1), website="https://holme-genbrug.example.dk",
        p_number="1012345678", ean=valid_ean("579000012345"), advertising_protected=True,
        description="Vi sorterer erhvervsaffald fra hele Holmen.\r\n\r\nSærligt træ, pap og jern – med ærlige "
                    "priser og øje for miljøet.",
        directory_listed=True)
    tenant = _company(
        db, 2, name="Ørsted Smedeværksted ApS", street="Avedøreholmen 84", postal_code="2650", city="Hvidovre",
        role=CompanyRole.TENANT, employees=8, area_m2=Decimal("2500.25"), industry="Smedearbejde",
        status=CompanyStatus.MEMBER, joined_on=date(year, 4, 1), website="", description="")
    neighbour = _company(
        db, 3, name="Åmosen Træ og Byg I/S", street="Avedøreholmen 12", postal_code="2650", city="Hvidovre",
        role=CompanyRole.BOTH, employees=130, area_m2=Decimal("31000"), industry="Byggemarked",
        status=CompanyStatus.MEMBER, joined_on=date(2015, 1, 1))  # a member not billed yet this year
    _company(db, 4, name="Holmens Kaffebrænderi ApS", street="Stamholmen 20", postal_code="2650", city="Hvidovre",
             status=CompanyStatus.LEFT, joined_on=date(2016, 5, 1), left_on=date(2024, 6, 30))
    _company(db, 5, name="Nyt Lager på Holmen ApS", status=CompanyStatus.INVITED)
    db.session.flush()
    db.session.add_all([CompanyTag(company_id=company.id, tag="affald"),
                        CompanyTag(company_id=company.id, tag="energi"),
                        CompanyTag(company_id=tenant.id, tag="metal")])

    contact = Contact(company=company, name="Karen Ærø Sørensen", title="Miljøchef", email="karen@holme-genbrug.dk",
                      phone="+45 36 49 12 34", is_primary=True, receives_meeting_mail=True,
                      lawful_basis=LawfulBasis.CONSENT, newsletter_consent=True, consent_at=now - timedelta(days=90),
                      consent_text_version="2024-1", consent_channel="portal", source="portal")
    colleague = Contact(company=company, name="Bjørn Østergård", title="Driftsleder", email="bjorn@holme-genbrug.dk",
                        phone="20 30 40 50", receives_meeting_mail=True, source="manual")
    tenant_contact = Contact(company=tenant, name="Søren Ørsted", title="Indehaver", email="soeren@orsted-smed.dk",
                             is_primary=True, newsletter_consent=True, consent_at=now - timedelta(days=30),
                             consent_text_version="2024-1", consent_channel="paper")
    neighbour_contact = Contact(company=neighbour, name="Åse Møller", email="aase@aamosen.dk", is_primary=True)
    newcomer = Contact(company=company, name="Lis Jensen", title="Bogholder", email="lis@holme-genbrug.dk")
    db.session.add_all([contact, colleague, tenant_contact, neighbour_contact, newcomer])
    db.session.flush()
    for row in (company, tenant, neighbour):
        row.search_text = search_text_for(row, row.contacts)

    plot = Plot(cadastral_number="12ab Avedøre By, Avedøre", address="Stamholmen 151",
                area_m2=Decimal("12500.50"), owner_id=company.id)
    db.session.add(plot)
    db.session.flush()
    db.session.add(Tenancy(plot_id=plot.id, company_id=tenant.id, from_date=date(2020, 1, 1)))
    db.session.add(Activity(company_id=company.id, kind=ActivityKind.VISIT,
                            text="Besøg på pladsen: vi talte om fælles pap-container og solceller på taget.",
                            occurred_at=now - timedelta(days=12)))

    users = {role: auth_services.create_user(f"{role}.verden@holme.example", PASSWORD, Role(role),
                                             company=company if role == "company" else None)
             for role in ROLES}
    for user in users.values():  # admins must; with a new phone being enrolled, every two-factor form shows
        enrol_two_factor(user)
        user.two_factor_new_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 (a test key)
    company_user = users["company"]
    company_user.name, company_user.contact_id = "Karen Ærø Sørensen", contact.id
    colleague_user = auth_services.create_user("bjorn@holme-genbrug.dk", PASSWORD, Role.COMPANY, company=company)
    colleague_user.contact_id = colleague.id

    group = WorkingGroup(name="Grønne tage og vild natur", slug="groenne-tage",
                         purpose="Vi planter vild natur på tage og skrænter.\r\nMål: 15 ha inden 2030.")
    db.session.add(group)
    db.session.flush()
    membership = GroupMembership(group_id=group.id, company_id=company.id, contact_id=contact.id,
                                 role=MemberRole.CHAIR, joined_on=date(2022, 5, 1))
    db.session.add_all([membership, GroupMembership(group_id=group.id, company_id=tenant.id, role=MemberRole.MEMBER,
                                                    joined_on=date(2023, 9, 1))])
    initiative = Initiative(group_id=group.id, title="Vild natur på Holmen", status=InitiativeStatus.RUNNING,
                            description="Slåning én gang om året; ingen gødning.")
    db.session.add(initiative)
    db.session.flush()
    db.session.add_all([
        InitiativeFigure(initiative_id=initiative.id, label="Vild natur", value=Decimal("15.50"), unit="ha"),
        InitiativeFigure(initiative_id=initiative.id, label="Arter på 100 m²", value=Decimal("105"), unit="arter"),
        InitiativeFigure(initiative_id=initiative.id, label="Virksomheder med", value=Decimal("19"), unit=""),
    ])
    document = GroupDocument(group_id=group.id, filename="handlingsplan-2025.pdf", content_type="application/pdf",
                             data=PDF, size=len(PDF))
    group_request = MembershipRequest(group_id=group.id, company_id=neighbour.id, kind=RequestKind.JOIN,
                                      requested_by_id=None)
    db.session.add_all([document, group_request])

    starts = (now + timedelta(days=21)).replace(hour=13, minute=0, second=0)
    meeting = Meeting(title="Netværksmøde om energi og affald", kind=MeetingKind.NETWORK, series="netværksmøde",
                      starts_at=starts, ends_at=starts + timedelta(hours=2, minutes=30), place="Stamholmen 165, "
                      "mødelokale Ø", online_url="https://møde.example.dk/holme", description="Vi ses til "
                      "kaffe og rundstykker.\r\nHusk sikkerhedssko til rundvisningen.")
    past_starts = (now - timedelta(days=40)).replace(hour=8, minute=30, second=0)
    past_meeting = Meeting(title="Netværksmøde i foråret", kind=MeetingKind.NETWORK, series="netværksmøde",
                           starts_at=past_starts, ends_at=past_starts + timedelta(hours=2),
                           place="Avedøreholmen 84", status=MeetingStatus.HELD,
                           minutes_published_at=past_starts + timedelta(days=2))
    db.session.add_all([meeting, past_meeting])
    db.session.flush()
    agenda_item = AgendaItem(meeting_id=meeting.id, position=1, title="Velkomst og nyt fra kommunen",
                             presenter="Erhvervsteamet", minutes_allotted=15, text="Status på Holmen.",
                             minutes="**Kort status**\r\n\r\n- 394 virksomheder\r\n- ny cykelsti på Stamholmen",
                             decisions="Næste møde holdes hos Ørsted Smedeværksted.")
    db.session.add_all([
        agenda_item,
        AgendaItem(meeting_id=meeting.id, position=2, title="Fælles affaldsordning", presenter="Karen Ærø Sørensen",
                   minutes_allotted=30, minutes="", decisions=""),
        AgendaItem(meeting_id=past_meeting.id, position=1, title="Solceller på tagene", presenter="Bjørn Østergård",
                   minutes="Gennemgang af tilbud fra tre leverandører.", decisions="Energigruppen går videre."),
    ])
    action_item = ActionItem(meeting_id=meeting.id, title="Indhent tilbud på fælles pap-container",
                             owner_company_id=company.id, owner_name="Karen Ærø Sørensen",
                             due_on=today + timedelta(days=30))
    attachment = MeetingAttachment(meeting_id=meeting.id, filename="dagsorden-æøå.pdf",
                                   content_type="application/pdf", data=PDF, size=len(PDF))
    invitation = Invitation(meeting_id=meeting.id, company_id=company.id, rsvp=Rsvp.YES, rsvp_at=now,
                            rsvp_by="link", sent_sequence=0)
    db.session.add_all([
        action_item, attachment, invitation,
        Invitation(meeting_id=meeting.id, company_id=tenant.id, sent_sequence=0),
        Invitation(meeting_id=meeting.id, company_id=neighbour.id),  # invited, not sent yet
        Invitation(meeting_id=past_meeting.id, company_id=company.id, rsvp=Rsvp.YES, sent_sequence=0),
        ActionItem(meeting_id=past_meeting.id, title="Saml tilbud på solceller", owner_name="Bjørn Østergård"),
        MeetingAttachment(meeting_id=past_meeting.id, filename="referat-bilag.pdf", content_type="application/pdf",
                          data=PDF, size=len(PDF)),
    ])
    db.session.flush()
    db.session.add(Attendance(meeting_id=past_meeting.id, company_id=company.id, contact_id=contact.id,
                              status=AttendanceStatus.PRESENT))

    scheme = ContributionScheme(
        year=year, name="Bidragsmodel efter grundareal", active=True, adopted_at=now - timedelta(days=60),
        base_ore=200_000, tier_basis=TierBasis.AREA, split_plots=True, owner_share_pct=60,
        tenant_split=TenantSplit.AREA, minimum_ore=50_000, maximum_ore=2_500_000, vat=True, prorate=True,
        due_days=30, reminder_1_days=14, reminder_2_days=28)
    db.session.add(scheme)
    db.session.flush()
    db.session.add_all([
        ContributionTier(scheme_id=scheme.id, lower=0, upper=5000, amount_ore=100_000),
        ContributionTier(scheme_id=scheme.id, lower=5000, upper=20000, amount_ore=250_050),
        ContributionTier(scheme_id=scheme.id, lower=20000, upper=None, amount_ore=500_000),
    ])
    adjustment = ContributionAdjustment(scheme_id=scheme.id, company_id=tenant.id, kind=AdjustmentKind.DISCOUNT,
                                        percent=25, reason="Nystartet værksted på Holmen; rabat det første år.")
    db.session.add(adjustment)
    contribution = Contribution(
        company_id=company.id, year=year, scheme_id=scheme.id, invoice_number=1, invoice_date=today - timedelta(10),
        due_date=today + timedelta(days=20), net_ore=440_030, vat_ore=110_008, paid_ore=100_000, months=12,
        tier="5000-19999", role="owner", state=ContributionState.PARTLY_PAID, sent_at=now - timedelta(days=10),
        lines=[{"text": "Grundbidrag", "amount_ore": 200_000}, {"text": "Trin 5000-19999 m²", "amount_ore": 240_030}])
    scenario = ContributionScheme(
        year=year, name="Scenarie: efter antal ansatte", base_ore=150_000, tier_basis=TierBasis.EMPLOYEES,
        minimum_ore=None, maximum_ore=None, vat=True, prorate=False)
    db.session.add(scenario)
    db.session.flush()
    db.session.add_all([ContributionTier(scheme_id=scenario.id, lower=0, upper=10, amount_ore=50_000),
                        ContributionTier(scheme_id=scenario.id, lower=10, upper=None, amount_ore=300_000),
                        ContributionAdjustment(scheme_id=scenario.id, company_id=neighbour.id,
                                               kind=AdjustmentKind.WAIVER, percent=100,
                                               reason="Fritaget: stiller mødelokale til rådighed.")])
    draft = Contribution(
        company_id=tenant.id, year=year, scheme_id=scheme.id, invoice_number=2, invoice_date=today,
        due_date=today + timedelta(days=30), net_ore=225_019, vat_ore=56_255, months=9, tier="0-4999",
        role="tenant", state=ContributionState.DRAFT,
        lines=[{"text": "Grundbidrag, 9 måneder", "amount_ore": 150_000},
               {"text": "Rabat 25 %", "amount_ore": -50_000}])
    db.session.add_all([contribution, draft, InvoiceSequence(year=year, last_number=2),
                        ReminderHold(company_id=tenant.id, reason="Betalingsaftale: afdrag hver måned.")])
    db.session.flush()
    db.session.add(Payment(contribution_id=contribution.id, paid_on=today - timedelta(days=3), amount_ore=100_000,
                           reference="Bankoverførsel 4711 – Holme Genbrug"))

    email = queue_email(to_address=contact.email, to_name=contact.name, subject="Invitation: Netværksmøde om energi",
                        body_text="Kære Karen\n\nVelkommen.", body_html="<p>Kære Karen</p>", company=company,
                        concerns=meeting)
    failed_email = queue_email(to_address="bjorn@holme-genbrug.dk", to_name="Bjørn Østergård",
                               subject="Referat fra netværksmødet", body_text="Referatet er vedhæftet.",
                               company=company, concerns=past_meeting)
    failed_email.status, failed_email.attempts, failed_email.last_error = EmailStatus.FAILED, 5, "550 mailbox full"
    mass_mailing = MassMailing(token="verden-udsendelse", purpose="invite", object_type="meetings",
                               object_id=meeting.id, title="Invitation: Netværksmøde om energi",
                               back_path=f"/meetings/{meeting.id}/invitations", queued=1,
                               created_by_id=users["staff"].id)
    db.session.add(mass_mailing)
    db.session.flush()
    email.mass_mailing_id = mass_mailing.id
    db.session.add(Newsletter(subject="Nyt fra Holmen – foråret", body="Kære alle\r\n\r\nSolen skinner.",
                              filters={"tag": "energi"}, recipients=2, form_key="verden-nyhedsbrev",
                              sent_by_id=users["staff"].id))
    company_import = CompanyImport(
        filename="virksomheder-æøå.csv", uploaded_by_id=users["staff"].id,
        data=(f"CVR;Navn;Antal ansatte;Grundareal (m²)\r\n{company.cvr};Holme Genbrug & Miljø A/S;42;12.500,5\r\n"
              f"{tenant.cvr};Ørsted Smedeværksted ApS;9;2.500,25\r\n"
              f"{valid_cvr(900_100)};Ny Energi på Holmen ApS;3;\r\n").encode("utf-8-sig"))
    erasure = ErasureRequest(contact_id=colleague.id, company_id=company.id, requested_by_id=company_user.id)
    db.session.add_all([company_import, erasure,
                        AuditEntry(action="company.update", actor_id=users["staff"].id,
                                   actor_email=users["staff"].email, object_type="companies", object_id=company.id,
                                   changes={"employees": [40, 42]})])
    goal = ReportGoal(year=today.year, text="Mindst 90 virksomheder bruger portalen", figure="portal_active",
                      target=Decimal("90"), narrative="Portalen bruges nu af {portal_active} virksomheder.\r\n\r\n"
                                                      "Målet fra strategien står fast.")
    manual_goal = ReportGoal(year=today.year, text="Flere arter på de vilde arealer", target=Decimal("100"),
                             manual_result=Decimal("105"), manual_source="Optælling på 100 m², juni",
                             narrative="Der blev talt {species} arter mod 2 på græsplænen.")
    join_request = JoinRequest(cvr=valid_cvr(900_200), name="Holmens Nye Solceller ApS", street="Stamholmen 173",
                               postal_code="2650", city="Hvidovre", role=CompanyRole.TENANT,
                               contact_name="Åse Ny-Østergaard", contact_email="aase@nye-solceller.dk",
                               contact_phone="+45 20 30 40 50", consent_text_version="join-2024-1",
                               address="192.0.2.10", created_at=now - timedelta(days=2))
    db.session.add_all([goal, manual_goal, join_request])
    db.session.flush()
    # The agreement: the company signed up under the first version; a second is in force and waits for it.
    first = AgreementVersion(title="Partnerskabsaftale 2019", takes_effect_on=date(2019, 1, 1), notice_months=3,
                             body="# Formål\r\n\r\nVi driver netværket **sammen**.\r\n- Bidrag årligt")
    agreement = AgreementVersion(title="Partnerskabsaftale – ny udgave", takes_effect_on=today - timedelta(days=30),
                                 notice_months=3, body="# Formål\r\n\r\nVi driver netværket sammen.\r\n\r\n"
                                                       "<script>alert(1)</script>")
    db.session.add_all([first, agreement])
    db.session.flush()
    db.session.add(Signature(company_id=company.id, kind=SignatureKind.SIGN_UP, agreement_id=first.id,
                             contact_id=contact.id, user_id=company_user.id, signer_name=contact.name,
                             starts_on=date(2019, 3, 1), year=2019, net_ore=400_000, vat_ore=100_000))
    group_request.requested_by_id = company_user.id

    tokens = {
        "rsvp": rsvp_token(invitation),
        "unsubscribe": unsubscribe_token(contact),
        "calendar": calendar_feed.create_feed(users["staff"]),
        "portal_invitation": auth_services.issue_link(colleague_user, LinkPurpose.PORTAL_INVITATION, 24 * 7),
        "password_reset": auth_services.issue_link(users["staff"], LinkPurpose.PASSWORD_RESET, 1),
    }
    world = World(
        company=company, tenant=tenant, neighbour=neighbour, contact=contact, colleague=colleague, plot=plot,
        group=group, membership=membership, initiative=initiative, document=document, group_request=group_request,
        meeting=meeting, past_meeting=past_meeting, agenda_item=agenda_item, action_item=action_item,
        attachment=attachment, invitation=invitation, scheme=scheme, scenario=scenario,
        adjustment=adjustment, contribution=contribution, draft=draft, email=email, failed_email=failed_email,
        mass_mailing=mass_mailing,
        company_import=company_import, erasure=erasure, company_user=company_user, colleague_user=colleague_user,
        users=users, tokens=tokens, goal=goal, manual_goal=manual_goal, bank=_bank(db, contribution, today),
        join_request=join_request,
        api_tokens={role: api_tokens.create_token(users[role], f"Integration ({role})")[0] for role in ROLES},
        exchange=_exchange(db, company, tenant, neighbour, users, now), agreement=agreement)
    world.cases = _cases(db, company, contact, users["staff"], today)
    world.ids = {name: getter(world) for name, getter in URL_ARGUMENTS.items()}
    world.alternates = {name: getter(world) for name, getter in ALTERNATES.items()}
    db.session.commit()
    for role in ROLES:
        world.clients[role] = logged_in_client(app, users[role])
    world.clients["anonymous"] = app.test_client()
    # A login waiting for its two-factor code (the password was right): still nobody logged in.
    with world.clients["anonymous"].session_transaction() as session:
        session[PENDING] = {"user": users["company"].get_id(), "remember": False, "next": "", "since": int(time.time())}
    return world


def logged_in_client(app, user):
    """A client with the user's session, as the login page leaves it (without a request per client)."""
    client = app.test_client()
    sign_in(client, user)
    return client


def sign_in(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    client.user = user


def still_logged_in(client, user):
    """False when a request ended the client's session (a logout, a password change, a closed login)."""
    with client.session_transaction() as session:
        return session.get("_user_id") == user.get_id()


# URL argument name -> the world's value. "endpoint:name" entries take precedence for that endpoint, where one
# name means different objects on different routes. A route with an argument named nowhere here fails the
# generic tests with a message asking to add it.
URL_ARGUMENTS = {
    "company_id": lambda w: w.company.id,
    "contact_id": lambda w: w.contact.id,
    "plot_id": lambda w: w.plot.id,
    "import_id": lambda w: w.company_import.id,
    "slug": lambda w: w.group.slug,
    "membership_id": lambda w: w.membership.id,
    "document_id": lambda w: w.document.id,
    "meeting_id": lambda w: w.meeting.id,
    "item_id": lambda w: w.action_item.id,
    "attachment_id": lambda w: w.attachment.id,
    "invitation_id": lambda w: w.invitation.id,
    "scheme_id": lambda w: w.scheme.id,
    "adjustment_id": lambda w: w.adjustment.id,
    "contribution_id": lambda w: w.contribution.id,
    "statement_id": lambda w: w.bank["statement"].id,
    "transaction_id": lambda w: w.bank["transaction"].id,
    "email_id": lambda w: w.email.id,
    "mailing_id": lambda w: w.mass_mailing.id,
    "user_id": lambda w: w.colleague_user.id,
    "token_id": lambda w: w.api_tokens["company"].id,
    "group_id": lambda w: w.group.id,
    "file_format": lambda w: "csv",
    "year": lambda w: date.today().year,
    "list_name": lambda w: "invited",
    "goal_id": lambda w: w.goal.id,
    "case_id": lambda w: w.cases["case"].id,
    "partner_id": lambda w: w.cases["partner"].id,
    "version_id": lambda w: w.agreement.id,
    "step": lambda w: "invited",
    "listing_id": lambda w: w.exchange["listing"].id,
    "picture_id": lambda w: w.exchange["picture"].id,
    "conversation_id": lambda w: w.exchange["conversation"].id,
    "message_id": lambda w: w.exchange["message"].id,
    "category_id": lambda w: w.exchange["category"].id,
    "factor_id": lambda w: w.exchange["factor"].id,
    "mail.retry:email_id": lambda w: w.failed_email.id,
    "portal.carry_out_erasure:request_id": lambda w: w.erasure.id,
    "portal.decide_group_request:request_id": lambda w: w.group_request.id,
    "joining.show:request_id": lambda w: w.join_request.id,
    "joining.approve:request_id": lambda w: w.join_request.id,
    "joining.decline:request_id": lambda w: w.join_request.id,
    "meetings_public.rsvp:token": lambda w: w.tokens["rsvp"],
    "mail_public.unsubscribe:token": lambda w: w.tokens["unsubscribe"],
    "meetings_public.calendar_feed_file:token": lambda w: w.tokens["calendar"],
    "portal.accept_invitation:token": lambda w: w.tokens["portal_invitation"],
    "auth.reset_password:token": lambda w: w.tokens["password_reset"],
}


#: Other objects of the world, in other states, that pages are also opened with: some forms show only for them
#: (releasing held reminders, sending a draft invoice, waiving an unpaid one, adopting a scenario, retrying a
#: failed mail).
ALTERNATES = {
    "company_id": lambda w: [w.tenant.id],
    "contribution_id": lambda w: [w.draft.id],
    "transaction_id": lambda w: [w.bank["matched"].id],
    "scheme_id": lambda w: [w.scenario.id],
    "email_id": lambda w: [w.failed_email.id],
    "goal_id": lambda w: [w.manual_goal.id],
    "partner_id": lambda w: [w.cases["retired"].id],
    "listing_id": lambda w: [w.exchange["other"].id, w.exchange["hidden"].id],
}


class UnknownArgument(LookupError):
    pass


def argument_value(world, endpoint, name):
    getter = URL_ARGUMENTS.get(f"{endpoint}:{name}") or URL_ARGUMENTS.get(name)
    if getter is None:
        raise UnknownArgument(
            f"{endpoint} has the URL argument <{name}>, which tests/world.py does not know: add it to "
            f"URL_ARGUMENTS (and the object it names to build_world), so the generic tests can reach the route.")
    return world.ids[f"{endpoint}:{name}" if f"{endpoint}:{name}" in URL_ARGUMENTS else name]


def world_url(app, world, rule, **overrides):
    """The rule's path with the world's objects as its arguments (overrides replace some of them)."""
    values = {name: argument_value(world, rule.endpoint, name) for name in rule.arguments}
    values.update(overrides)
    return app.url_map.bind("localhost").build(rule.endpoint, values, method=None)


def allowed_roles(app, endpoint):
    """The roles a route's view declares (crm.security): 'anonymous' for public ones."""
    roles = getattr(app.view_functions[endpoint], "allowed_roles", None)
    if roles == "public":
        return ("anonymous",)
    return tuple(role for role in ROLES if role in (roles or ()))


def methods(rule):
    return set(rule.methods) - {"HEAD", "OPTIONS"}


def rules(app):
    return sorted((rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"),
                  key=lambda rule: (rule.rule, rule.endpoint))


def snapshot(db):
    """Every table's rows, ordered by primary key: {table: {primary key: {column: value}}}."""
    tables = {}
    with db.session.no_autoflush:
        for table in db.metadata.sorted_tables:
            key_columns = list(table.primary_key.columns)
            rows = db.session.execute(select(table).order_by(*key_columns)).mappings().all()
            tables[table.name] = {tuple(row[c.name] for c in key_columns): dict(row) for row in rows}
    return tables


#: Tables that grow with every read (a page that only reads adds its rows there): no change of the data.
READ_LOGS = ("access_log",)


def snapshot_differences(before, after, ignored=()):
    """Readable lines naming every added, removed and changed row and column (old -> new), outside READ_LOGS."""
    lines = []
    for table, rows in after.items():
        if table in READ_LOGS:
            continue
        old_rows = before.get(table, {})
        for key in sorted(set(old_rows) | set(rows), key=repr):
            label = f"{table}#{'/'.join(map(str, key))}"
            if key not in old_rows:
                lines.append(f"{label} added: {_short(rows[key])}")
            elif key not in rows:
                lines.append(f"{label} removed: {_short(old_rows[key])}")
            else:
                for column, new in rows[key].items():
                    old = old_rows[key].get(column)
                    if old != new and f"{table}.{column}" not in ignored:
                        lines.append(f"{label}.{column}: {_short(old)} -> {_short(new)}")
    return lines


def _short(value, limit=300):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
