"""Going through the confirmation step of a mass mailing as a browser would (crm.mail.confirmation)."""

from werkzeug.datastructures import MultiDict

from crm.mail.confirmation import TOKEN_FIELD
from tests.conftest import post
from tests.html_forms import post_forms


def confirmation_form(page):
    """The confirm form of a confirmation page (the one carrying the one-time key); fails when there is none."""
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html[:2000]
    found = [form for form in post_forms(html, page.request.path) if TOKEN_FIELD in form.names()]
    assert len(found) == 1, "the page is a confirmation with one confirm form"
    return found[0]


def press(client, form, **kwargs):
    """Submit a confirm form (again, for a double click)."""
    return client.post(form.action, data=MultiDict(form.submitted()), **kwargs)


def confirm(client, page, **kwargs):
    """Press the confirm button of a confirmation page."""
    return press(client, confirmation_form(page), **kwargs)


def post_confirmed(client, url, data=None, **kwargs):
    """POST a mass action, then confirm it: the answer to the confirmation."""
    return confirm(client, post(client, url, data), **kwargs)
