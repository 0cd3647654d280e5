"""`flask demo load`: the fictional demo network of 394 companies and four demo logins; `flask demo code`: the
demo admin's current two-factor code."""

import os
from datetime import date

import click
import pyotp
from flask.cli import AppGroup
from sqlalchemy import func, select

from crm.auth import services as auth_services
from crm.auth.models import User
from crm.companies.demo_data import load_network
from crm.companies.demo_history import load_demo_joins
from crm.companies.models import Company
from crm.contributions.demo import load_demo_billing, load_demo_schemes
from crm.db import utcnow
from crm.exchange.case_demo import load_demo_cases
from crm.exchange.demo import load_demo_exchange
from crm.extensions import db
from crm.groups.demo import load_demo_groups
from crm.joining.demo import load_demo_join_requests
from crm.meetings.demo import load_demo_meetings
from crm.partnership.demo import add_demo_signer, load_demo_partnership
from crm.reports.demo import load_demo_goals, load_demo_portal_use
from crm.security import Role

demo_cli = AppGroup("demo", help="Demodata til udvikling og afprøvning.")

DEMO_COMPANIES = 394
DEMO_LOGINS = (
    ("admin@holme.example", "holme-demo-admin", Role.ADMIN, "Anne Admin"),
    ("staff@holme.example", "holme-demo-staff", Role.STAFF, "Søren Sekretariat"),
    ("firma@holme.example", "holme-demo-firma", Role.COMPANY, "Frida Firma"),
    ("inviteret@holme.example", "holme-demo-inviteret", Role.COMPANY, "Ida Inviteret"),
)
#: The login of an invited company's contact who may sign for it: signing up in the portal (Medlemskab).
DEMO_SIGNER = "inviteret@holme.example"

#: The demo admin's two-factor secret. Admins must have two-factor login on, in development as in production, so
#: the demo admin is enrolled with this known secret: add it to an authenticator app, or run `flask demo code`.
#: Known to everyone, like the demo passwords; `demo load` refuses to run in production.
DEMO_ADMIN_TWO_FACTOR_SECRET = "HOLMEDEMOADMINTOFAKTORKUNTILDEMO"  # noqa: S105 (a published demo value)


def load_demo_logins():
    """Create the demo users unless they exist (the company user in the first demo company, the signer in an invited
    one); the demo admin with two-factor login on (DEMO_ADMIN_TWO_FACTOR_SECRET)."""
    company = db.session.scalars(select(Company).order_by(Company.id).limit(1)).first()
    for email, password, role, name in DEMO_LOGINS:
        if auth_services.find_user(email) is not None:
            continue
        if email == DEMO_SIGNER:
            add_demo_signer(email, password, name)
            continue
        user = auth_services.create_user(email, password, role, name=name,
                                         company=company if role == Role.COMPANY else None)
        if role == Role.ADMIN:
            user.two_factor_secret = DEMO_ADMIN_TWO_FACTOR_SECRET
            user.two_factor_enabled_at = utcnow()
    return DEMO_LOGINS


def _refuse_in_production():
    if os.environ.get("HOLME_ENV") == "production":
        raise click.ClickException("Demodata indlæses ikke i produktion.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Kun hvis databasen ikke har brugere endnu.")
def load(if_empty):
    """Load the demo network and print its logins."""
    _refuse_in_production()
    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        click.echo("Databasen har allerede brugere; demodata springes over.")
        return
    created = load_network(DEMO_COMPANIES, activities_per_company=2)
    joined = load_demo_joins()
    memberships = load_demo_groups()
    schemes = load_demo_schemes() + load_demo_schemes(date.today().year - 1, scenario=False)
    logins = load_demo_logins()
    portal_logins = load_demo_portal_use()
    meetings = load_demo_meetings()
    invoices = load_demo_billing()
    cases = load_demo_cases()
    goals = load_demo_goals()
    join_requests = load_demo_join_requests()
    listings = load_demo_exchange()
    signatures = load_demo_partnership()
    db.session.commit()
    click.echo(f"Demonetværk: {created} nye virksomheder (i alt {DEMO_COMPANIES} i netværket), "
               f"{joined} nye medlemmer de seneste år, {memberships} nye gruppemedlemskaber, "
               f"{schemes} bidragsmodeller, {portal_logins} log ind i portalen, "
               f"{meetings} møder, {invoices} fakturaer, {cases} rådgivningsforløb, {goals} mål for årsrapporten, "
               f"{join_requests} anmodninger om optagelse, {listings} annoncer i byttecentralen, "
               f"{signatures} underskrifter på partnerskabsaftalen.")
    click.echo("Demo-logins (kun til udvikling):")
    for email, password, role, _name in logins:
        click.echo(f"  {role:<8} {email:<24} {password}")
    click.echo(f"Admin logger ind med tofaktor-login: nøglen {DEMO_ADMIN_TWO_FACTOR_SECRET} i en app, "
               "eller koden fra `.venv/bin/flask --app wsgi demo code`.")


@demo_cli.command("code")
def code():
    """Print the demo admin's current two-factor code (from the published demo secret, not from the database)."""
    _refuse_in_production()
    click.echo(pyotp.TOTP(DEMO_ADMIN_TWO_FACTOR_SECRET).now())
