"""Every form and list survives hostile input.

The routes are found in the URL map, with the roles their views declare (crm/security.py); the world is
tests/world.py. Opening every page of the site as every role (once per run) finds, for every POST route, a page
whose form posts to it (a route whose form no page shows fails `test_every_post_route_has_a_form_on_some_page`),
the query parameters each page's forms and links use, and the tables each page reads.

For every area, on one world: every POST route's form is sent as the page shows it (empty text fields filled in
plausibly, so that validation goes deep), with one field at a time replaced by a hostile value, left out, or given
twice, pressing each of its buttons; a file field gets an empty file, a program, a huge or hostile name, a file
over the limit and a real PDF. The least privileged role that may use the route sends every value that fits the
field (VALUES_BY_KIND); each other role sends one value per field, the values taken in turn. Every GET page gets
the same values in each query parameter its forms and links use (and the ones its view reads,
QUERY_PARAMETERS), and odd values in its path (ids of 2^63 and -1).

What must hold:
- never a 5xx (the failure names the request and the exception line from the log);
- a refusal shows a Danish message: a 4xx page, a form re-rendered with errors, or an error flash after a
  redirect must show a text of the app's Danish catalogue (the DKFDS error summary, a field's error, an error
  alert, or the error page's heading), and never one of WTForms' English messages or an exception's text;
- a form shown with its errors answers 422, not 200;
- afterwards every page that reads a table the area's routes changed still answers as it did on the fresh world,
  for every role (an object a route deleted may answer 404): stored hostile data never breaks a page.
"""

import logging
import re
import traceback
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from itertools import count
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest
import wtforms
from babel.messages.pofile import read_po
from sqlalchemy import event
from werkzeug.exceptions import MethodNotAllowed, NotFound

from tests.conftest import PASSWORD, make_app, valid_cvr
from tests.html_forms import error_texts, forms_of, heading, send
from tests.world import (
    PDF,
    allowed_roles,
    argument_value,
    build_world,
    methods,
    rules,
    sign_in,
    snapshot,
    still_logged_in,
    world_url,
)

#: Values a field or query parameter gets, one at a time. Extend it with every new kind of input found.
HOSTILE = {
    "empty": "",
    "100,000 characters": "x" * 100_000,
    "NUL": "a\x00b",
    "CR/LF": "a\r\nBcc: x@example.com",
    "emoji and right-to-left": "🏭 \u202eabc",
    "2^63": "9223372036854775808",
    "-1": "-1",
    "superscript two": "²",
    "year 1": "0001-01-01",
    "year 9999": "9999-12-31",
    "a word": "abc",
    "1.5e400": "1.5e400",
    "NaN": "NaN",
    # Fields that hold lists ("title; presenter; minutes", "label; figure; unit") parse each part:
    "² in a list": "Punkt; Oplæg; ²",
    "2^63 in a list": "Vild natur; 9223372036854775808; ha",
}
#: Which values fit which field: every value where the field may hold a number or a date (number, date and time
#: inputs, hidden fields, and text fields that show digits or nothing), text values where it shows words, and
#: the values that matter for a choice.
TEXT_VALUES = ("empty", "100,000 characters", "NUL", "CR/LF", "emoji and right-to-left", "² in a list",
               "2^63 in a list")
CHOICE_VALUES = ("empty", "a word", "NUL", "-1", "2^63", "superscript two", "100,000 characters")
CHOICE_KINDS = {"select", "select-multiple", "radio", "checkbox", "submit"}
TEXT_KINDS = {"text", "textarea", "email", "url", "search", "tel", "password"}
#: Files a file field gets: (bytes, filename).
MAX_UPLOAD = 10 * 1024 * 1024
HOSTILE_FILES = {
    "an empty file": (b"", "tom.pdf"),
    "a program named .pdf": (b"MZ\x90\x00\x03\x00\x00\x00" * 64, "faktura.pdf"),
    "a text file": ("Navn;CVR\r\nÆble ApS;12345678\r\n".encode(), "liste.txt"),
    "a huge name": (PDF, "æ" * 2000 + ".pdf"),
    "a hostile name": (PDF, "a\r\nb\x00c\u202efdp.exe"),
    "a file over the limit": (PDF + b"0" * MAX_UPLOAD, "stor.pdf"),
    "a real PDF": (PDF, "referat-æøå.pdf"),
}
#: Values for a path argument that is text (a group's short name, a token), and ids no row has.
HOSTILE_PATH_TEXT = ("a\x00b", "a\r\nb", "🏭 \u202eabc", "x" * 5000, "²", "-1", "..", "%")
HOSTILE_IDS = ("9223372036854775808", "-1")

#: Query parameters a view reads that no form or link on its page shows (read the views: request.args).
QUERY_PARAMETERS = {
    "auth.login": ("next",),
    "companies.index": ("q", "role", "status", "tag", "group", "sort", "dir", "page"),
    "companies.export": ("q", "role", "status", "tag", "group", "sort", "dir", "format"),
    "contributions.index": ("year", "state", "page"),
    "contributions.export": ("year", "format"),
    "contributions.billing_run": ("year",),
    "contributions.compare_schemes": ("with",),
    "meetings.index": ("year", "kind", "group"),
    "meetings.minutes_archive": ("year",),
    "meetings.checkin": ("q", "limit", "offset", "open"),
    "meetings.invitation_list": ("svar",),
    "meetings.export_invitations": ("svar",),
    "meetings_public.rsvp": ("svar",),
    "mail.index": ("status", "q", "company", "from", "to", "page", "mailing"),
    "mail.newsletter": ("q", "role", "status", "tag", "group", "sort", "dir"),
    "audit.index": ("action", "actor", "from", "to", "page"),
    "audit.access": ("q", "contact", "company", "user", "page"),
    "audit.export_access": ("contact", "company", "user"),
    "meetings.invite": ("cvrs",),
    "reports.index": ("year",),
    "exchange.cases": ("year", "kind", "partner", "outcome"),
    "reports.company_list": ("role",),
    "reports.export_company_list": ("role",),
}

#: Routes run after the others of their area: what they do (delete, close, end the session) would leave the
#: others nothing to work on.
RUN_LAST = ("remove", "delete", "cancel", "merge", "left", "credit", "waive", "disable", "erasure", "logout",
            "publish", "decide", "confirm", "adopt")
#: Pages the after-check skips, and why.
NOT_RECHECKED = {
    "auth.reset_password": "a one-time link: the routes under test may have used it",
    "portal.accept_invitation": "a one-time link: the routes under test may have used it",
}
#: The least privileged role first: it sends every value.
ROLE_ORDER = ("anonymous", "company", "staff", "admin")

_APP = make_app("sqlite://")
_ADAPTER = _APP.url_map.bind("localhost")
RULES = {rule.endpoint: rule for rule in rules(_APP)}
POST_ROUTES = [(rule.endpoint, role) for rule in rules(_APP) if "POST" in methods(rule)
               for role in sorted(allowed_roles(_APP, rule.endpoint), key=ROLE_ORDER.index)]
PAGES = [(rule.endpoint, role) for rule in rules(_APP) if "GET" in methods(rule)
         for role in sorted(allowed_roles(_APP, rule.endpoint), key=ROLE_ORDER.index)]


def _area(endpoint):
    return endpoint.split(".")[0].removesuffix("_public")


POST_AREAS = sorted({_area(endpoint) for endpoint, _ in POST_ROUTES})
PAGE_AREAS = sorted({_area(endpoint) for endpoint, _ in PAGES})


# ---------------------------------------------------------------------------------------------- how it is judged

@cache
def _our_messages():
    """One pattern matching any text of the app's catalogue: its Danish texts, and their English translations
    for a user who chose English (placeholders match anything)."""
    texts = set()
    for language in ("da", "en"):
        path = Path(__file__).resolve().parents[2] / "crm" / "translations" / language / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as handle:
            for message in read_po(handle, locale=language):
                text = message.id if language == "da" else message.string
                if text:
                    texts.add(text if isinstance(text, str) else text[0])
    return _pattern(text for text in texts if len(text) >= 8)


@cache
def _english_wtforms():
    """One pattern matching any of WTForms' own (English) messages."""
    path = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    texts = set()
    for message in catalog:
        texts.update([message.id] if isinstance(message.id, str) else message.id)
    return _pattern(text for text in texts if text)


def _pattern(texts):
    parts = [re.sub(r"%(?:\\\(\w+\\\))?[sd]", ".+?", re.escape(text)) for text in sorted(texts, key=len, reverse=True)]
    return re.compile("|".join(parts), re.DOTALL)


INSIDE_TEXTS = re.compile(r"Traceback|invalid literal|object has no attribute|could not convert|"
                          r"Error\b|Exception\b|sqlalchemy|psycopg|sqlite3")


def _message_problems(texts):
    """What is wrong with the messages a refusal shows (nothing when a Danish one is there)."""
    problems = []
    joined = " | ".join(re.sub(r"(\w{60})\w+", r"\1…", text) for text in texts)  # a message may quote a huge value
    english = _english_wtforms().search(joined)
    if english:
        problems.append(f"shows WTForms' English message «{english.group(0)}»")
    inside = INSIDE_TEXTS.search(joined)
    if inside:
        problems.append(f"shows the inside of the app: «{joined[:200]}»")
    if not texts or not _our_messages().search(joined):
        problems.append(f"shows no Danish message (shown: {joined[:200]!r})")
    return problems


@dataclass
class Outcome:
    """One request, and what is wrong with its answer."""

    request: str
    status: int | None = None
    problems: list = field(default_factory=list)


class LogCatcher(logging.Handler):
    """The app's logged exceptions, as one line each: the exception and the last line of our code it passed."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.lines = []

    def emit(self, record):
        if record.exc_info and record.exc_info[1] is not None:
            self.lines.append(_exception_line(record.exc_info[1]))

    def take(self):
        lines, self.lines = self.lines, []
        return lines


def _exception_line(error):
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if "/crm/" in frame.filename]
    where = ""
    if frames:
        frame = frames[-1]
        where = f" at crm/{frame.filename.split('/crm/')[-1]}:{frame.lineno} `{(frame.line or '').strip()}`"
    return f"{type(error).__name__}: {str(error)[:300]}{where}"


#: Browsers keep a cookie of at most 4096 bytes (name, value and attributes).
BROWSER_COOKIE_LIMIT = 4096
FORM_ERRORS = re.compile(r'class="[^"]*(?:form-error-message|app-error-summary)')


def _judge(client, outcome, call, catcher):
    """Make the request and judge the answer; after a redirect, the messages flashed for the next page."""
    catcher.take()
    try:
        response = call()
    except Exception as error:  # an exception the app's error handlers never saw
        outcome.status = 500
        outcome.problems.append(f"raised {_exception_line(error)}")
        return outcome
    outcome.status = response.status_code
    html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
    for cookie in response.headers.getlist("Set-Cookie"):
        if len(cookie) > BROWSER_COOKIE_LIMIT:
            outcome.problems.append(f"sets a cookie of {len(cookie)} bytes: browsers drop cookies over 4 KB, and "
                                    f"with it the message and the login")
    if response.status_code >= 500:
        outcome.problems.append(f"answered {response.status_code}: {'; '.join(catcher.take()) or heading(html)}")
    elif response.status_code >= 400:
        outcome.problems.extend(_message_problems(error_texts(html) or [heading(html)]))
    elif response.status_code in (301, 302, 303, 307, 308):
        errors = [str(message) for category, message in _take_flashes(client) if category == "error"]
        if errors:
            outcome.problems.extend(_message_problems(errors))
    elif FORM_ERRORS.search(html):
        outcome.problems.append(f"shows the form's errors with status {response.status_code}, not 422: "
                                f"{error_texts(html)[:3]}")
    return outcome


def _take_flashes(client):
    """The messages a redirect left for the next page, as that page would show (and so remove) them."""
    with client.session_transaction() as session:
        return session.pop("_flashes", [])


def _report(title, outcomes):
    failed = [outcome for outcome in outcomes if outcome.problems]
    lines = [f"{outcome.request} -> {outcome.status}: {'; '.join(outcome.problems)}" for outcome in failed]
    return f"{title}: {len(failed)} of {len(outcomes)} requests failed:\n" + "\n".join(lines)


# ------------------------------------------------------------------------------------------ the site, read once

@dataclass
class Site:
    """What opening every page as every role found."""

    form_pages: dict = field(default_factory=dict)  # (post endpoint, role) -> (page endpoint, argument overrides)
    statuses: dict = field(default_factory=dict)  # (page endpoint, role, overrides) -> status on the fresh world
    tables: dict = field(default_factory=dict)  # (page endpoint, role, overrides) -> tables its queries name
    query_names: dict = field(default_factory=dict)  # page endpoint -> query parameters its forms and links use
    downloads: set = field(default_factory=set)  # pages that answer with a file, not HTML


_SITE = {}


def _endpoint_of(path, method):
    try:
        endpoint, _ = _ADAPTER.match(urlsplit(path).path, method=method)
    except (NotFound, MethodNotAllowed):
        return None
    return endpoint


def _page_specs(world):
    """(endpoint, role, overrides) of every page: with the world's objects, and with each of its alternates."""
    specs = []
    for endpoint, role in PAGES:
        specs.append((endpoint, role, ()))
        for name in RULES[endpoint].arguments:
            specs.extend((endpoint, role, ((name, index),)) for index in range(len(world.alternates.get(name, ()))))
    return specs


def _page_url(world, endpoint, overrides=()):
    values = {name: world.alternates[name][index] for name, index in overrides}
    return world_url(_APP, world, RULES[endpoint], **values)


def _site(db, world):
    """Open every page as every role (once per run: what it finds does not depend on the world's ids)."""
    if "site" in _SITE:
        return _SITE["site"]
    site, statements = Site(), []
    table_names = sorted(db.metadata.tables)

    def remember(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        for spec in _page_specs(world):
            endpoint, role, overrides = spec
            url = _page_url(world, endpoint, overrides)
            statements.clear()
            response = world.clients[role].get(url)
            read = " ".join(statements)
            site.tables[spec] = {name for name in table_names if re.search(rf"\b{name}\b", read)}
            site.statuses[spec] = response.status_code
            if response.status_code == 200 and response.mimetype != "text/html":
                site.downloads.add(spec)
            if response.status_code == 200 and response.mimetype == "text/html":
                _read_forms(site, response.get_data(as_text=True), url, endpoint, role, overrides)
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    _SITE["site"] = site
    return site


def _read_forms(site, html, url, endpoint, role, overrides):
    for form in forms_of(html, url):
        target = _endpoint_of(form.action, form.method.upper())
        if form.method == "post" and target:
            site.form_pages.setdefault((target, role), (endpoint, overrides))
        elif form.method == "get" and target:
            site.query_names.setdefault(target, set()).update(form.names(), _query_names(form.action))
    for href in re.findall(r'href="([^"#]*\?[^"#]*)"', html):
        href = href.replace("&amp;", "&")
        target = _endpoint_of(href, "GET")
        if target:
            site.query_names.setdefault(target, set()).update(_query_names(href))


def _query_names(url):
    return {pair.split("=")[0] for pair in urlsplit(url).query.split("&") if pair}


# ----------------------------------------------------------------------------------------------- what is sent

_CVRS = count(1)


def _plausible(form, control):
    """A value a person would type into an empty field, so that a hostile value in another field goes deep."""
    name, kind = control.name.lower(), control.kind
    if "cvr" in name:  # a new company's own number; any other CVR field names the world's tenant
        return valid_cvr(950_000 + next(_CVRS)) if name == "cvr" and "name" in form.names() else _TENANT_CVR[0]
    if kind == "email" or "email" in name:
        return f"ny.kontakt{next(_CVRS)}@holme-genbrug.dk"
    if kind == "date" or name in ("day", "due_on", "paid_on", "left_on", "from_date", "to_date"):
        return (date.today() + timedelta(days=30)).isoformat()
    if kind == "time":
        return "12:00" if "end" in name else "10:00"
    if kind == "number" or name in ("year", "amount", "percent"):
        return "5" if name != "year" else str(date.today().year + 1)
    if kind == "url" or name in ("website", "online_url"):
        return "https://holme-genbrug.example.dk"
    if kind == "password":
        return PASSWORD if name == "current" else "Grøn-Holm-Solcelle-Tag-2030"
    if kind == "textarea":
        return "Prøvetekst med æøå.\r\nAnden linje."
    return "Prøve æøå"


_TENANT_CVR = [""]


def _filled(form):
    """The form as shown, with empty text fields filled in plausibly."""
    pairs = []
    for name, value in form.submitted():
        control = form.control(name)
        if value == "" and control.kind in TEXT_KINDS | {"number", "date", "time"}:
            value = _plausible(form, control)
        pairs.append((name, value))
    return pairs


def _values_for(control, shown):
    """The labels of the values that fit a field, by its kind and what it shows (or was filled in with)."""
    if control.kind in CHOICE_KINDS:
        return CHOICE_VALUES
    if control.kind in TEXT_KINDS:
        return TEXT_VALUES if _wordy(shown) else tuple(HOSTILE)
    return tuple(label for label in HOSTILE if "in a list" not in label)


def _wordy(value):
    return isinstance(value, str) and re.search(r"[^\W\d_]", value) and not re.search(r"\d", value)


def _variants(form, every_value, turn):
    """(field name, label, pairs) of the hostile submissions of the form, pressing each of its buttons: every
    fitting value in every field, or one value per field, taken in turn from the field's values."""
    buttons = [control for control in form.fields if control.kind == "submit"]
    other_buttons = list(dict.fromkeys((button.name, value) for button in buttons for value in button.options))[1:]
    for press in [None, *other_buttons]:  # None: the first button, as a person presses it; the others send
        every_value = every_value and press is None  # one value per field
        base = _pressed(_filled(form), buttons, press)
        shapes = {}  # fields repeated per row (minutes-12, minutes-13) are attacked in their first row
        names = [shapes.setdefault(re.sub(r"\d+", "#", name), name) for name, _ in base]
        for name in list(dict.fromkeys(names)):
            if name == "csrf_token":
                yield name, "a forged token", _replaced(base, name, "forged-token")
                continue
            control = form.control(name)
            if control.kind == "file":
                labels = list(HOSTILE_FILES) if every_value else [list(HOSTILE_FILES)[next(turn) % len(HOSTILE_FILES)]]
                for label in labels:
                    yield name, label, _replaced(base, name, HOSTILE_FILES[label])
                continue
            shown = next(value for key, value in base if key == name)
            labels = [*_values_for(control, shown), "missing", "twice"]
            for label in labels if every_value else [labels[next(turn) % len(labels)]]:
                if label == "missing":
                    yield name, label, [(key, value) for key, value in base if key != name]
                elif label == "twice":
                    yield name, label, base + [(name, shown if isinstance(shown, tuple) else "abc")]
                else:
                    yield name, label, _replaced(base, name, HOSTILE[label])


def _pressed(pairs, buttons, press):
    if press is None:
        return pairs
    names = {button.name for button in buttons}
    return [(key, value) for key, value in pairs if key not in names] + [press]


def _replaced(pairs, name, value):
    result, done = [], False
    for key, old in pairs:
        if key != name:
            result.append((key, old))
        elif not done:
            result.append((key, value))
            done = True
    return result


def _keep_signed_in(world, role):
    """A route under test may end the session (logging out, a password change): sign the role in again."""
    client = world.clients[role]
    if role == "anonymous" or still_logged_in(client, world.users[role]):
        return False
    sign_in(client, world.users[role])
    return True


def _forms_posting_to(client, page_url, endpoint):
    """The page's distinct forms (by their fields) that post to the endpoint."""
    found, seen = [], set()
    for form in forms_of(client.get(page_url).get_data(as_text=True), page_url):
        if form.method == "post" and _endpoint_of(form.action, "POST") == endpoint:
            signature = tuple(sorted(form.names()))
            if signature not in seen:
                seen.add(signature)
                found.append(form)
    return found


def _attack_form(world, site, catcher, endpoint, role, every_value, turn):
    if (endpoint, role) not in site.form_pages:
        return [Outcome(f"{endpoint} as {role}", problems=["no page shows its form (see "
                                                           "test_every_post_route_has_a_form_on_some_page)"])]
    page_endpoint, overrides = site.form_pages[endpoint, role]
    client = world.clients[role]
    page_url = _page_url(world, page_endpoint, overrides)
    outcomes = []
    for form in _forms_posting_to(client, page_url, endpoint):
        for name, label, pairs in list(_variants(form, every_value, turn)):
            outcome = Outcome(f"POST {form.action} as {role} (the form on {page_url}) with {name} = {label}")
            outcomes.append(_judge(client, outcome, lambda form=form, pairs=pairs: send(client, form, pairs),
                                   catcher))
            # Only a redirect ends a session (logging out, a changed password); a new one has a new CSRF token.
            if 300 <= (outcome.status or 0) < 400 and _keep_signed_in(world, role):
                fresh = [other for other in _forms_posting_to(client, page_url, endpoint)
                         if other.names() == form.names()]
                if fresh:
                    form.fields = fresh[0].fields
    return outcomes


def _changed_tables(before, after):
    return {table for table, rows in after.items() if rows != before.get(table)}


def _pages_still_answer(world, site, catcher, changed, after_what):
    """Every page that reads a changed table, as every role, answers as it did on the fresh world."""
    outcomes = []
    documents = set()
    for spec, expected in site.statuses.items():
        endpoint, role, overrides = spec
        if endpoint in NOT_RECHECKED or expected >= 500 or not site.tables[spec] & changed:
            continue  # a page that fails on the fresh world is named by test_every_page_answers_on_the_fresh_world
        if spec in site.downloads:  # a file is the same for every role: made once
            if (endpoint, overrides) in documents:
                continue
            documents.add((endpoint, overrides))
        _keep_signed_in(world, role)
        client, url = world.clients[role], _page_url(world, endpoint, overrides)
        outcome = Outcome(f"then GET {url} as {role}")
        catcher.take()
        try:
            outcome.status = client.get(url).status_code
        except Exception as error:
            outcome.status, error_line = 500, _exception_line(error)
        else:
            error_line = "; ".join(catcher.take())
        if outcome.status >= 500:
            outcome.problems.append(f"answered {outcome.status} after {after_what}: {error_line}")
        elif outcome.status != expected and not RULES[endpoint].arguments:  # an object's page may change with it
            outcome.problems.append(f"answered {expected} on the fresh world, {outcome.status} after {after_what}")
        outcomes.append(outcome)
    return outcomes


# --------------------------------------------------------------------------------------------------- the tests

@pytest.fixture
def catcher(app):
    handler = LogCatcher()
    app.logger.addHandler(handler)
    yield handler
    app.logger.removeHandler(handler)


@pytest.fixture
def world(app, db):
    world = build_world(db, app)
    _TENANT_CVR[0] = world.tenant.cvr
    return world


def test_every_route_can_be_reached_with_the_world(world):
    unknown = []
    for rule in RULES.values():
        for name in rule.arguments:
            try:
                argument_value(world, rule.endpoint, name)
            except LookupError as error:
                unknown.append(str(error))
    assert unknown == []


def test_every_page_answers_on_the_fresh_world(db, world, catcher):
    _SITE.pop("site", None)  # read the site here, where its errors are caught and named
    site = _site(db, world)
    broken = [f"GET {_page_url(world, endpoint, overrides)} as {role} -> {status}"
              for (endpoint, role, overrides), status in site.statuses.items() if status >= 500]
    assert broken == [], "pages that fail on the world:\n" + "\n".join(broken + catcher.take())


def test_every_post_route_has_a_form_on_some_page(db, world):
    site = _site(db, world)
    missing = [f"{endpoint} as {role}" for endpoint, role in POST_ROUTES if (endpoint, role) not in site.form_pages]
    assert missing == [], ("no page of the world shows a form that posts to these routes; add to tests/world.py "
                           "what makes the form appear: " + ", ".join(missing))


def _route_order(route):
    endpoint, role = route
    return any(word in endpoint for word in RUN_LAST), endpoint, ROLE_ORDER.index(role)


@pytest.mark.parametrize("area", POST_AREAS)
def test_forms_survive_hostile_input(db, world, catcher, area):
    site = _site(db, world)
    before = snapshot(db)
    outcomes, turn, first_role = [], count(), {}
    for endpoint, role in sorted(((e, r) for e, r in POST_ROUTES if _area(e) == area), key=_route_order):
        every_value = first_role.setdefault(endpoint, role) == role
        outcomes.extend(_attack_form(world, site, catcher, endpoint, role, every_value, turn))
    changed = _changed_tables(before, snapshot(db))
    outcomes.extend(_pages_still_answer(world, site, catcher, changed, f"hostile input to the {area} forms"))
    assert not any(outcome.problems for outcome in outcomes), _report(f"the {area} forms", outcomes)


@pytest.mark.parametrize("area", PAGE_AREAS)
def test_pages_survive_hostile_query_and_path(db, world, catcher, area):
    site = _site(db, world)
    outcomes, turn, first_role = [], count(), {}
    for endpoint, role in ((e, r) for e, r in PAGES if _area(e) == area):
        every_value = first_role.setdefault(endpoint, role) == role
        client, url = world.clients[role], _page_url(world, endpoint)
        names = sorted((site.query_names.get(endpoint, set()) | set(QUERY_PARAMETERS.get(endpoint, ())))
                       - {"csrf_token"})
        for name in names:
            labels = [*HOSTILE, "twice"]
            for label in labels if every_value else [labels[next(turn) % len(labels)]]:
                query = urlencode([(name, "1"), (name, "abc")] if label == "twice" else {name: HOSTILE[label]})
                outcome = Outcome(f"GET {url}?{name}={label} as {role}")
                outcomes.append(_judge(client, outcome, lambda c=client, target=f"{url}?{query}": c.get(target),
                                       catcher))
        rule = RULES[endpoint]
        for argument, converter in rule._converters.items() if every_value else ():
            is_id = type(converter).__name__ == "DatabaseIdConverter"
            for value in HOSTILE_IDS if is_id else HOSTILE_PATH_TEXT:
                values = {name: quote(str(argument_value(world, endpoint, name)), safe="") for name in rule.arguments}
                target = re.sub(r"<(?:[^<>]*:)?(\w+)>", lambda match, values=values, argument=argument, value=value:
                                quote(value, safe="") if match[1] == argument else values[match[1]], rule.rule)
                outcome = Outcome(f"GET {target[:150]} as {role} (<{argument}> = {value[:20]!r})")
                outcomes.append(_judge(client, outcome, lambda c=client, target=target: c.get(target), catcher))
    assert not any(outcome.problems for outcome in outcomes), _report(f"the {area} pages", outcomes)
