"""The confirmation step of every mailing to many, and the mass mailing it starts.

The first POST of a mass action (or a GET of its confirm page) changes nothing: it shows how many companies and
persons will get the mail, their names, whom the outbox would leave out and a preview, with a form that carries
the action's fields again plus a one-time key. Only the POST with that key runs the action, once: the key is
stored on the MassMailing (unique), so a second click finds it and queues nothing more.

    if not confirmation.confirming():
        return confirmation.ask(title=..., audience=Audience.of(pairs), preview=text, button=..., back=url)
    mass, new = confirmation.start("group", group, title, back=url, by=current_user)
    if not new:
        return confirmation.already_started(mass)
    with queued_for(mass):
        mailing = services.mail_group(...)
    confirmation.finish(mass, mailing.queued, mailing.refused)
    db.session.commit()
    return redirect(url_for("mail.mass_mailing", mailing_id=mass.id))
"""

import secrets
from dataclasses import dataclass, field
from types import SimpleNamespace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from crm.extensions import db
from crm.mail.models import MassMailing
from crm.mail.services import recipient_refusal

#: The confirm form's field with the one-time key; its presence makes a POST the confirmation.
TOKEN_FIELD = "mailing_token"  # noqa: S105 (a form field name, not a secret)
#: How many names the confirm page shows before "the whole list".
FIRST_NAMES = 10


@dataclass(frozen=True)
class Recipient:
    company_id: int
    company: str
    name: str
    address: str
    #: Why the outbox would leave them out, or None.
    refusal: str | None = None

    def __str__(self):
        person = " ".join(f"{self.name} <{self.address}>".split()) if self.name else f"<{self.address}>"
        return f"{self.company}: {person}" if self.company else person


@dataclass
class Audience:
    """Who a mailing would reach: one Recipient per mail, and the companies with nobody to mail."""

    recipients: list = field(default_factory=list)
    #: Names of the companies the action concerns that have no contact to mail.
    nobody: list = field(default_factory=list)

    @classmethod
    def of(cls, pairs):
        """From (company, contacts) pairs: each contact with an address is a recipient (or a refused one)."""
        audience = cls()
        for company, contacts in pairs:
            audience.add(company, contacts)
        return audience

    def add(self, company, contacts):
        contacts = [contact for contact in contacts if contact is not None and contact.email]
        if not contacts:
            self.nobody.append(company.name)
        for contact in contacts:
            self.recipients.append(Recipient(company.id, company.name, contact.name or "", contact.email,
                                             recipient_refusal(contact.name, contact.email)))

    @property
    def reached(self):
        return [recipient for recipient in self.recipients if recipient.refusal is None]

    @property
    def refused(self):
        return [recipient for recipient in self.recipients if recipient.refusal is not None]

    @property
    def companies(self):
        return len({recipient.company_id for recipient in self.reached})

    @property
    def persons(self):
        return len(self.reached)


def example_contact():
    """The recipient a preview is written to."""
    return SimpleNamespace(name=_("Modtagerens navn"), email="modtager@firma.example")


def confirming():
    """Whether this request is the confirmation (it carries the one-time key)."""
    return bool(request.form.get(TOKEN_FIELD))


def carried_fields():
    """The action's own form fields, to post again with the confirmation."""
    return [(name, value) for name, value in request.form.items(multi=True)
            if name not in ("csrf_token", TOKEN_FIELD)]


def ask(*, title, audience, preview, button, back, subject=None, notes=(), action=None):
    """The confirm page: counts, names, whom the outbox leaves out, the mail's preview, and a form that posts the
    same fields again with a new one-time key (to `action`, by default this page's address)."""
    return render_template("mail/confirm.html", title=title, audience=audience, preview=preview, subject=subject,
                           button=button, back=back, notes=notes, fields=carried_fields(),
                           action=action or request.full_path.rstrip("?"), token_field=TOKEN_FIELD,
                           token=secrets.token_urlsafe(24), first=FIRST_NAMES)


def start(purpose, concerns, title, *, back, by=None):
    """(MassMailing, True) for a new confirmation; (the earlier one, False) when this key was confirmed already,
    or (None, False) while another request with the key is still at work."""
    token = request.form.get(TOKEN_FIELD, "")[:64]
    if not token:
        abort(400)
    existing = _by_token(token)
    if existing is not None:
        return existing, False
    mass = MassMailing(token=token, purpose=purpose, title=" ".join(str(title).split())[:300],
                       object_type=getattr(concerns, "__tablename__", None), object_id=getattr(concerns, "id", None),
                       back_path=back if back.startswith("/") and not back.startswith("//") else "/",
                       created_by_id=getattr(by, "id", None))
    try:
        with db.session.begin_nested():
            db.session.add(mass)
    except (IntegrityError, OperationalError):  # the other click got there first, or holds the lock
        db.session.rollback()  # and read what it committed, if it has
        return _by_token(token), False
    return mass, True


def _by_token(token):
    return db.session.scalars(select(MassMailing).where(MassMailing.token == token)).first()


def finish(mass, queued, refused=()):
    """Note what the mailing queued and how many recipients the outbox left out."""
    mass.queued, mass.refused = queued, len(refused)
    db.session.flush()


def already_started(mass):
    """The answer to a second click on a confirmation: nothing more is queued; its delivery page."""
    if mass is None:
        flash(_("Udsendelsen er ved at blive sendt fra et andet vindue; den sendes kun én gang."), "info")
        return redirect(url_for("mail.index"))
    flash(_("Udsendelsen er allerede bekræftet; den er ikke sendt igen."), "info")
    return redirect(url_for("mail.mass_mailing", mailing_id=mass.id))


def delivery_page(mass):
    """Where staff see a mailing's delivery after confirming it."""
    return redirect(url_for("mail.mass_mailing", mailing_id=mass.id))
