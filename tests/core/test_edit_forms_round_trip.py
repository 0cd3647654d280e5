"""Every edit form round-trips: opening an object's form and saving it unchanged changes nothing.

The edit forms are found in the URL map: every route that answers both GET and POST is one, unless it is listed
in NOT_EDIT_FORMS with the reason. Each is opened as every role that may use it, on a realistic world
(tests/world.py), and submitted exactly as a browser sends what the page shows (tests/html_forms.py). The answer
must be a redirect or a page without errors, and no row of any table may change; for contribution schemes the
calculated amounts must stay the same too. A form that shows a value in another form than it reads it back (an
amount in kroner shown as "2" for 2.000 kr., a decimal cut, a date moved, a text trimmed) fails here with the
table, row, column and old and new values.
"""

import pytest

from crm.contributions import calculation, schemes
from crm.contributions.models import ContributionScheme
from tests.conftest import make_app
from tests.html_forms import error_texts, post_forms, send
from tests.world import allowed_roles, build_world, methods, rules, snapshot, snapshot_differences, world_url

#: Routes that answer GET and POST but do not edit an existing object, and why.
NOT_EDIT_FORMS = {
    "auth.login": "logging in: the form starts empty",
    "auth.forgot_password": "asks for a reset link: the form starts empty",
    "auth.reset_password": "chooses a new password: a password is never shown",
    "auth.change_password": "changes the password: a password is never shown",
    "auth.two_factor_login": "the code after the password: a code is typed, never shown",
    "portal.accept_invitation": "accepts a portal invitation by choosing a password: a password is never shown",
    "companies.create": "creates a company: the form starts empty",
    "companies.add_contact": "creates a contact: the form starts empty",
    "companies.merge": "merges a duplicate into the company: asks for the duplicate's CVR, starts empty",
    "companies.import_upload": "uploads a company file",
    "contributions.bank_index": "uploads a bank statement",
    "portal.add_contact": "creates a contact: the form starts empty",
    "groups.create": "creates a group: the form starts empty",
    "groups.mail": "writes a mail to the group's members: the form starts empty",
    "meetings.create": "plans a meeting: the form starts empty",
    "meetings.invite": "chooses companies to invite and sends the invitations",
    "meetings.calendar_settings": "makes or stops the user's calendar address: buttons, no fields",
    "meetings_public.rsvp": "an answer page: the button pressed is the answer, and each answer is a new one",
    "mail.newsletter": "writes a newsletter: the form starts empty",
    "mail_public.unsubscribe": "one-click unsubscribe: submitting it is the change",
    "contributions.new_scheme": "creates a scenario: the form starts with defaults, not an object",
    "partnership.new_version": "creates a new version of the agreement (prefilled from the one in force); a saved "
                               "version is never edited",
    "contributions.billing_run": "runs the billing of a year: an action, not an object's form",
    "reports.new_goal": "sets a new goal for a year: the form starts empty",
    "joining.join": "a company asks to join the network: the form starts empty",
    "exchange.new_case": "logs a new case on a company: the form starts empty",
    "portal_exchange.new_listing": "creates a listing: the form starts empty",
    "portal_exchange.close_listing": "closes a listing as exchanged: an action that records the exchange",
    "portal_exchange.conversation": "writes a message: the form starts empty",
    "exchange.categories": "adds a category: the form starts empty",
    "exchange.factors": "adds a savings factor: the form starts empty",
}

#: Columns that may change when an unchanged form is saved, and why. None: a no-op save writes nothing.
IGNORED_COLUMNS = ()

_APP = make_app("sqlite://")
EDIT_FORMS = [(rule.endpoint, role) for rule in rules(_APP)
              if {"GET", "POST"} <= methods(rule) and rule.endpoint not in NOT_EDIT_FORMS
              for role in allowed_roles(_APP, rule.endpoint)]


def test_the_exclusions_name_existing_routes_that_answer_get_and_post():
    both = {rule.endpoint for rule in rules(_APP) if {"GET", "POST"} <= methods(rule)}
    assert set(NOT_EDIT_FORMS) <= both, f"stale entries in NOT_EDIT_FORMS: {sorted(set(NOT_EDIT_FORMS) - both)}"


def test_the_edit_forms_are_found():
    found = {endpoint for endpoint, _ in EDIT_FORMS}
    # The forms the network edits today; a new one joins by itself, one that disappears must be noticed.
    assert {"companies.edit", "companies.edit_contact", "contributions.edit_scheme", "groups.edit",
            "meetings.edit", "meetings.edit_minutes", "portal.company", "portal.edit_contact"} <= found


def _scheme_totals(db):
    """Every scheme's calculated amounts and summary, by scheme id."""
    totals = {}
    for scheme in db.session.scalars(ContributionScheme.__table__.select().with_only_columns(
            ContributionScheme.id)).all():
        row = db.session.get(ContributionScheme, scheme)
        db.session.refresh(row)
        amounts = schemes.calculate(row)
        totals[scheme] = (calculation.summarise(amounts), sorted(amounts, key=lambda amount: amount.company_id))
    return totals


def _rule(endpoint):
    return next(rule for rule in rules(_APP) if rule.endpoint == endpoint)


@pytest.mark.parametrize(("endpoint", "role"), EDIT_FORMS)
def test_saving_an_unchanged_edit_form_changes_nothing(app, db, endpoint, role):
    world = build_world(db, app)
    client = world.clients[role]
    url = world_url(app, world, _rule(endpoint))
    before, totals_before = snapshot(db), _scheme_totals(db)

    page = client.get(url)
    assert page.status_code == 200, f"{endpoint} as {role}: GET {url} answered {page.status_code}"
    forms = [form for form in post_forms(page.get_data(as_text=True), url) if form.action.split("?")[0] == url]
    assert forms, f"{endpoint} as {role}: GET {url} shows no <form method=post> that posts back to it"
    form = forms[0]
    after_get = snapshot(db)
    changed_by_get = snapshot_differences(before, after_get, IGNORED_COLUMNS)
    assert not changed_by_get, f"{endpoint} as {role}: opening GET {url} changed:\n" + "\n".join(changed_by_get)

    response = send(client, form, form.submitted())
    where = f"{endpoint} as {role}: POST {form.action} of the form exactly as shown"
    assert response.status_code in (200, 302, 303), (
        f"{where} answered {response.status_code}: {error_texts(response.get_data(as_text=True))}")
    shown = response.get_data(as_text=True)
    if response.status_code in (302, 303):
        shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert error_texts(shown) == [], f"{where} was refused: {error_texts(shown)}"

    changed = snapshot_differences(after_get, snapshot(db), IGNORED_COLUMNS)
    assert not changed, f"{where} changed what was stored:\n" + "\n".join(changed)
    totals_after = _scheme_totals(db)
    for scheme_id, (summary, amounts) in totals_before.items():
        assert totals_after[scheme_id][0] == summary, (
            f"{where} changed scheme {scheme_id}'s totals: {summary} -> {totals_after[scheme_id][0]}")
        assert totals_after[scheme_id][1] == amounts, f"{where} changed scheme {scheme_id}'s amounts"
