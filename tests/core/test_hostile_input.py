"""Every form and list survives hostile input.

The routes are found in the URL map, with the roles their views declare (crm/security.py); the world is
tests/world.py. For every POST route and every role that may use it, the page whose form posts to it is found by
opening every page of the site (a form that no page shows fails `test_every_post_route_has_a_form_on_some_page`),
and the form is sent as shown with one field at a time replaced by a hostile value, missing, or given twice; a
file field gets an empty file, a file of the wrong type, a file with a huge or hostile name, and a file over the
limit. For every GET page and role, each query parameter the page's own forms and links use (and the ones its
view reads, QUERY_PARAMETERS) gets the same values, and each path argument too (ids of 2^63 and -1).

What must hold:
- never a 5xx (the failure names the request and the exception line from the log);
- a refusal shows a Danish message: a 4xx page, a form re-rendered with 422, or an error flash after a redirect
  must show a text of the Danish catalogue (the DKFDS error summary, a field's error, an error alert, or the
  error page's heading), and never one of WTForms' English messages or an exception's text;
- a form shown with its errors answers 422, not 200;
- afterwards every page of the site still answers as it did for every role (a page that answered 200 answers
  200; an object the route deleted may answer 404): stored hostile data never breaks a page.
"""

import logging
import re
import traceback
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest
import wtforms
from babel.messages.pofile import read_po
from werkzeug.exceptions import MethodNotAllowed, NotFound

from tests.conftest import make_app
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
}
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
#: A few values for a path argument that is text (a group's short name, a token).
HOSTILE_PATH_TEXT = ("a\x00b", "a\r\nb", "🏭 \u202eabc", "x" * 5000, "²", "-1", "..", "%")
#: Ids no database row has, in paths.
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
    "meetings_public.rsvp": ("svar",),
    "mail.index": ("status", "q", "company", "from", "to", "page"),
    "mail.newsletter": ("q", "role", "status", "tag", "group", "sort", "dir"),
    "audit.index": ("action", "actor", "from", "to", "page"),
}

#: Pages the after-check skips, and why.
NOT_RECHECKED = {
    "auth.reset_password": "the one-time link may have been used by the route under test",
    "portal.accept_invitation": "the one-time link may have been used by the route under test",
}

_APP = make_app("sqlite://")
_ADAPTER = _APP.url_map.bind("localhost")
POST_ROUTES = [(rule.endpoint, role) for rule in rules(_APP) if "POST" in methods(rule)
               for role in allowed_roles(_APP, rule.endpoint)]
PAGES = [(rule.endpoint, role) for rule in rules(_APP) if "GET" in methods(rule)
         for role in allowed_roles(_APP, rule.endpoint)]
RULES = {rule.endpoint: rule for rule in rules(_APP)}


# ---------------------------------------------------------------------------------------------- how it is judged

@cache
def _danish_catalogue():
    """One pattern matching any text of the app's Danish catalogue (placeholders match anything)."""
    path = Path(__file__).resolve().parents[2] / "crm" / "translations" / "da" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="da")
    texts = {message.id if isinstance(message.id, str) else message.id[0] for message in catalog if message.id}
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
    parts = []
    for text in sorted(texts, key=len, reverse=True):
        escaped = re.escape(text)
        parts.append(re.sub(r"%(?:\\\(\w+\\\))?[sd]", ".+?", escaped))
    return re.compile("|".join(parts), re.DOTALL)


INSIDE_TEXTS = re.compile(r"Traceback|invalid literal|object has no attribute|could not convert|"
                          r"Error\b|Exception\b|sqlalchemy|psycopg|sqlite3")


def _message_problems(texts):
    """What is wrong with the messages a refusal shows (nothing when a Danish one is there)."""
    problems = []
    joined = " | ".join(texts)
    english = _english_wtforms().search(joined)
    if english:
        problems.append(f"shows WTForms' English message «{english.group(0)}»")
    inside = INSIDE_TEXTS.search(joined)
    if inside:
        problems.append(f"shows the inside of the app: «{joined[:200]}»")
    if not texts or not _danish_catalogue().search(joined):
        problems.append(f"shows no Danish message (shown: {joined[:200]!r})")
    return problems


@dataclass
class Outcome:
    """What one request did, and what is wrong with it."""

    request: str
    status: int | None = None
    problems: list = field(default_factory=list)
    accepted: bool = False


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


def _describe(value):
    if isinstance(value, tuple):
        return f"file {value[1][:60]!r} ({len(value[0])} bytes)"
    for label, hostile in HOSTILE.items():
        if value == hostile:
            return label
    return repr(value[:60])


def _judge(client, outcome, call, catcher):
    """Make the request; then follow a redirect and judge both answers."""
    catcher.take()
    try:
        response = call()
    except Exception as error:  # an exception the app's error handlers never saw
        outcome.status = 500
        outcome.problems.append(f"raised {_exception_line(error)}")
        return outcome
    outcome.status = response.status_code
    html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
    if response.status_code >= 500:
        outcome.problems.append(f"answered {response.status_code}: {'; '.join(catcher.take()) or heading(html)}")
        return outcome
    if 400 <= response.status_code < 500:
        texts = error_texts(html) or ([heading(html)] if heading(html) else [])
        outcome.problems.extend(_message_problems(texts))
        return outcome
    texts = error_texts(html)
    if response.status_code == 200 and re.search(r'class="[^"]*(?:form-error-message|app-error-summary)', html):
        outcome.problems.append(f"shows the form's errors with status 200, not 422: {texts[:3]}")
    if response.status_code in (301, 302, 303, 307, 308):
        location = urlsplit(response.headers.get("Location", ""))
        if location.netloc in ("", "localhost"):
            target = location.path + (f"?{location.query}" if location.query else "")
            try:
                followed = client.get(target)
            except Exception as error:
                outcome.problems.append(f"the page it redirected to ({target}) raised {_exception_line(error)}")
                return outcome
            if followed.status_code >= 500:
                outcome.problems.append(f"the page it redirected to ({target}) answered {followed.status_code}: "
                                        f"{'; '.join(catcher.take())}")
                return outcome
            texts = error_texts(followed.get_data(as_text=True)) if followed.mimetype == "text/html" else []
    if texts:  # refused, with a message
        outcome.problems.extend(_message_problems(texts))
    else:
        outcome.accepted = True
    return outcome


# ------------------------------------------------------------------------------------------ the site, read once

@dataclass
class Site:
    """What opening every page as every role found: which page shows the form of each POST route, each page's
    answer, and the query parameters its forms and links use."""

    form_pages: dict  # (post endpoint, role) -> (page endpoint, argument overrides)
    statuses: dict  # (page endpoint, role, argument overrides) -> status on the fresh world
    query_names: dict  # page endpoint -> names


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


def _site(world):
    if "site" in _SITE:
        return _SITE["site"]
    site = Site({}, {}, {})
    for endpoint, role, overrides in _page_specs(world):
        client = world.clients[role]
        url = _page_url(world, endpoint, overrides)
        response = client.get(url)
        site.statuses[endpoint, role, overrides] = response.status_code
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        for form in forms_of(html, url):
            target = _endpoint_of(form.action, form.method.upper())
            if form.method == "post" and target:
                site.form_pages.setdefault((target, role), (endpoint, overrides))
            elif form.method == "get" and target:
                site.query_names.setdefault(target, set()).update(form.names())
                site.query_names[target].update(_query_names(form.action))
        for href in re.findall(r'href="([^"#]*\?[^"#]*)"', html):
            target = _endpoint_of(href.replace("&amp;", "&"), "GET")
            if target:
                site.query_names.setdefault(target, set()).update(_query_names(href.replace("&amp;", "&")))
    _SITE["site"] = site
    return site


def _query_names(url):
    query = urlsplit(url).query
    return {pair.split("=")[0] for pair in query.split("&") if pair}


# --------------------------------------------------------------------------------------------------- the tests

@pytest.fixture
def catcher(app):
    handler = LogCatcher()
    app.logger.addHandler(handler)
    yield handler
    app.logger.removeHandler(handler)


def _report(title, outcomes):
    failed = [outcome for outcome in outcomes if outcome.problems]
    lines = [f"{outcome.request} -> {outcome.status}: {'; '.join(outcome.problems)}" for outcome in failed]
    return f"{title}: {len(failed)} of {len(outcomes)} requests failed:\n" + "\n".join(lines)


def _pages_still_answer(world, site, catcher, before_route):
    """Every page of the site, as every role, answers as it did on the fresh world."""
    outcomes = []
    for (endpoint, role, overrides), expected in site.statuses.items():
        if endpoint in NOT_RECHECKED:
            continue
        client = world.clients[role]
        _keep_signed_in(world, role)
        url = _page_url(world, endpoint, overrides)
        outcome = Outcome(f"then GET {url} as {role}")
        catcher.take()
        try:
            response = client.get(url)
        except Exception as error:
            outcome.status = 500
            outcome.problems.append(f"raised {_exception_line(error)}")
            outcomes.append(outcome)
            continue
        outcome.status = response.status_code
        if response.status_code >= 500:
            outcome.problems.append(f"breaks after {before_route}: {'; '.join(catcher.take())}")
        elif response.status_code != expected and not (RULES[endpoint].arguments and response.status_code == 404):
            outcome.problems.append(f"answered {expected} on the fresh world, {response.status_code} after "
                                    f"{before_route}")
        outcomes.append(outcome)
    return outcomes


def _keep_signed_in(world, role):
    """A route under test may end the session (logout, a password change): sign the role in again."""
    client = world.clients[role]
    if role != "anonymous" and not still_logged_in(client):
        sign_in(client, world.users[role] if role in world.users else client.user)
        return True
    return False


def _variants(form):
    """(field name, label, pairs) of every hostile submission of the form, pressing each of its buttons."""
    buttons = [control for control in form.fields if control.kind == "submit"]
    other_buttons = list(dict.fromkeys((button.name, value) for button in buttons for value in button.options))[1:]
    presses = [None, *other_buttons]  # None: the first button, as form.submitted() presses it
    for press in presses:
        base = _pressed(form.submitted(), buttons, press)
        names = list(dict.fromkeys(name for name, _ in base))
        for name in names:
            if name == "csrf_token":
                yield name, "a forged token", _replaced(base, name, "forged-token")
                continue
            kind = next((control.kind for control in form.fields if control.name == name), "text")
            if kind == "file":
                for label, upload in HOSTILE_FILES.items():
                    yield name, label, _replaced(base, name, upload)
                continue
            for label, value in HOSTILE.items():
                yield name, label, _replaced(base, name, value)
            yield name, "missing", [(key, value) for key, value in base if key != name]
            first = next(value for key, value in base if key == name)
            yield name, "twice", base + [(name, first if isinstance(first, tuple) else "abc")]


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


def test_every_route_can_be_reached_with_the_world(app, db):
    world = build_world(db, app)
    unknown = []
    for rule in RULES.values():
        for name in rule.arguments:
            try:
                argument_value(world, rule.endpoint, name)
            except LookupError as error:
                unknown.append(str(error))
    assert unknown == []


def test_every_page_answers_on_the_fresh_world(app, db, catcher):
    world = build_world(db, app)
    _SITE.pop("site", None)  # read the site again here, where its errors are caught
    site = _site(world)
    broken = [f"GET {_page_url(world, endpoint, overrides)} as {role} -> {status}"
              for (endpoint, role, overrides), status in site.statuses.items() if status >= 500]
    assert broken == [], "pages that fail on the world:\n" + "\n".join(broken + catcher.take())


def test_every_post_route_has_a_form_on_some_page(app, db):
    world = build_world(db, app)
    site = _site(world)
    missing = [f"{endpoint} as {role}" for endpoint, role in POST_ROUTES if (endpoint, role) not in site.form_pages]
    assert missing == [], ("no page of the world shows a form that posts to these routes; add to tests/world.py "
                           "what makes the form appear: " + ", ".join(missing))


@pytest.mark.parametrize(("endpoint", "role"), POST_ROUTES)
def test_post_route_survives_hostile_input(app, db, catcher, endpoint, role):
    world = build_world(db, app)
    site = _site(world)
    if (endpoint, role) not in site.form_pages:
        pytest.fail(f"no page shows a form that posts to {endpoint} as {role} "
                    f"(see test_every_post_route_has_a_form_on_some_page)")
    page_endpoint, overrides = site.form_pages[endpoint, role]
    client = world.clients[role]
    page_url = _page_url(world, page_endpoint, overrides)
    before = snapshot(db)

    def current_forms():
        html = client.get(page_url).get_data(as_text=True)
        found, seen = [], set()
        for form in forms_of(html, page_url):
            if form.method == "post" and _endpoint_of(form.action, "POST") == endpoint:
                signature = tuple(sorted(form.names()))
                if signature not in seen:
                    seen.add(signature)
                    found.append(form)
        return found

    forms = current_forms()
    assert forms, f"{page_url} shows no form posting to {endpoint} as {role}"
    outcomes = []
    for index, form in enumerate(forms):
        for name, label, pairs in list(_variants(form)):
            outcome = Outcome(f"POST {form.action} as {role} ({page_endpoint}'s form) with {name}={label}")
            outcomes.append(_judge(client, outcome, lambda pairs=pairs, form=form: send(client, form, pairs),
                                   catcher))
            if _keep_signed_in(world, role):  # the session ended: a fresh page has the new CSRF token
                fresh = [candidate for candidate in current_forms() if candidate.names() == form.names()]
                if fresh:
                    form.fields = fresh[0].fields
    if snapshot(db) != before:  # something was stored: every page must still answer
        outcomes.extend(_pages_still_answer(world, site, catcher, f"hostile input to {endpoint}"))
    assert not any(outcome.problems for outcome in outcomes), _report(f"{endpoint} as {role}", outcomes)


@pytest.mark.parametrize(("endpoint", "role"), PAGES)
def test_page_survives_hostile_query_and_path(app, db, catcher, endpoint, role):
    world = build_world(db, app)
    site = _site(world)
    rule = RULES[endpoint]
    client = world.clients[role]
    url = _page_url(world, endpoint)
    outcomes = []
    names = sorted((site.query_names.get(endpoint, set()) | set(QUERY_PARAMETERS.get(endpoint, ()))) - {"csrf_token"})
    for name in names:
        for label, value in HOSTILE.items():
            target = f"{url}?{urlencode({name: value})}"
            outcome = Outcome(f"GET {url}?{name}={label} as {role}")
            outcomes.append(_judge(client, outcome, lambda target=target: client.get(target), catcher))
        target = f"{url}?{urlencode([(name, '1'), (name, 'abc')])}"
        outcomes.append(_judge(client, Outcome(f"GET {url}?{name}=1&{name}=abc as {role}"),
                               lambda target=target: client.get(target), catcher))
    for argument, converter in rule._converters.items():
        values = HOSTILE_IDS if type(converter).__name__ == "DatabaseIdConverter" else HOSTILE_PATH_TEXT
        for value in values:
            sentinel = "hostile-sentinel" if values is HOSTILE_PATH_TEXT else 987654321987
            path = world_url(_APP, world, rule, **{argument: sentinel})
            target = path.replace(str(sentinel), quote(value, safe=""))
            outcome = Outcome(f"GET {target[:200]} as {role} (<{argument}> = {_describe(value)})")
            outcomes.append(_judge(client, outcome, lambda target=target: client.get(target), catcher))
    assert not any(outcome.problems for outcome in outcomes), _report(f"{endpoint} as {role}", outcomes)
