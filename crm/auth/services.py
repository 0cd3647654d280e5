"""Use cases of accounts: log in, reset and change passwords, create users (the limits on guessing are in
crm.auth.throttle)."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from crm.actor import current_actor
from crm.audit.services import record
from crm.auth import notifications
from crm.auth.models import (
    LinkPurpose,
    LoginFailure,
    PasswordResetRequest,
    PasswordResetToken,
    PortalLogin,
    Role,
    User,
    new_session_token,
)
from crm.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from crm.auth.throttle import remember_login_address, reset_throttle_reason, throttle_reason
from crm.db import utcnow
from crm.extensions import db
from crm.http import whole_number


class PasswordRefused(ValueError):
    """The new password breaks the policy; the message says why."""


@dataclass
class LoginResult:
    user: User | None = None
    throttled: bool = False
    #: The password was right and the user has two-factor login on: the login waits for the code.
    needs_code: bool = False


def normalise_email(email):
    return (email or "").strip().lower()


def find_user(email):
    return db.session.scalars(select(User).where(User.email == normalise_email(email))).first()


def note_login(user):
    """The user has just logged in: the time on the login, and a PortalLogin row for a company's user."""
    user.last_login_at = utcnow()
    if user.company_id is not None and user.role == Role.COMPANY:
        db.session.add(PortalLogin(user_id=user.id, company_id=user.company_id, at=user.last_login_at))


def authenticate(email, password):
    """Check a login attempt from the current actor's address; record failures and throttle (throttle_reason);
    on success complete the login (complete_login), or, with two-factor login on, leave that to the second step."""
    email = normalise_email(email)
    address = current_actor().address
    reason = throttle_reason(email, address)
    if reason:
        current_app.logger.warning("Login throttled (%s) for %s from %s", reason, email, address)
        record("auth.login_throttled", actor_email=email, changes={"reason": reason})
        return LoginResult(throttled=True)
    user = find_user(email)
    if not verify_password(user.password_hash if user else None, password) or not user.active:
        db.session.add(LoginFailure(email=email, address=address))
        record("auth.login_failed", actor=user, actor_email=email)
        current_app.logger.info("Failed login for %s from %s", email, address)
        return LoginResult()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if user.two_factor_on:
        # Nothing is forgiven yet: a guesser who knows the password must not reset the count of wrong codes.
        return LoginResult(user=user, needs_code=True)
    complete_login(user)
    return LoginResult(user=user)


def complete_login(user):
    """Note a finished login (after the password, and the code where two-factor login is on) from the current
    actor's address: its time (and the portal login), the address, and forgive this address's failures."""
    note_login(user)
    # Only this address's failures are forgiven: a login elsewhere must not reset a guesser's count.
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == user.email,
                                                  LoginFailure.address == current_actor().address))
    remember_login_address(user)
    record("auth.login", actor=user)


def end_sessions(user):
    """Invalidate every session and remember-me cookie of the user."""
    user.session_token = new_session_token()


@dataclass
class LoginChange:
    """What became of a login when its contact person left the register or changed e-mail, for the caller to note.

    outcome: "closed" (was active: now inactive, no sessions, no open links), "withdrawn" (was invited: its open
    links are spent, and a login never taken into use is deleted) or "links_spent" (stays active, its open links
    are spent).
    """

    outcome: str
    #: The login's e-mail and id, kept here because a withdrawn login may be deleted.
    email: str
    user_id: int


def _logins_of_contact(contact_id):
    return db.session.scalars(select(User).where(User.contact_id == contact_id).order_by(User.id)).all()


def _withdraw(user):
    """End what an inactive login still has: its open links; a login never taken into use (invited, no password
    chosen) is deleted, so nothing of it shows as invited or can be taken into use. True when anything ended."""
    spent = spend_links(user)
    if user.password_hash is None and user.last_login_at is None:
        db.session.execute(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
        db.session.delete(user)
        return True
    return spent > 0


def _change(user, outcome):
    return LoginChange(outcome, user.email, user.id)


def close_logins_of_contact(contact_id):
    """End every login tied to a contact person who leaves the register.

    An active login is closed: inactive, every session and open link ended. An inactive one loses its open links
    (an invitation staff sent again), and one never taken into use is deleted with them. The LoginChanges, for the
    caller to note (a login already closed and without open links is left out).
    """
    changes = []
    for user in _logins_of_contact(contact_id):
        if user.active:
            user.active = False
            end_sessions(user)
            spend_links(user)
            changes.append(_change(user, "closed"))
        elif _withdraw(user):
            changes.append(_change(user, "withdrawn"))
    return changes


def readdress_logins_of_contact(contact_id, new_email):
    """A contact person's e-mail changed: what was mailed to the old address stops working.

    Every open link (invitation, password reset) of the logins tied to the person is spent, and a login invited but
    never taken into use is deleted, so the next invitation goes to the new address and makes a login with it. A
    closed login with another e-mail is no longer tied to the person.

    An active login stays active with its own e-mail and password. It is the person's account, taken into use by
    proving the mailbox and choosing a password, and its e-mail is the name it logs in with, not a copy of the
    register. Closing it would lock out a person whose company changed its domain, or who corrected their own
    address in the portal; moving it to the new address would let anyone who may edit the contact (a colleague in
    the portal) have the login's reset mails sent to an address of their choosing and take the login over. A person
    who must lose access is removed as a contact, or staff close the login.
    The LoginChanges, for the caller to note.
    """
    new_email = normalise_email(new_email)
    changes = []
    for user in _logins_of_contact(contact_id):
        if user.active:
            if spend_links(user):
                changes.append(_change(user, "links_spent"))
            continue
        change = _change(user, "withdrawn")
        if _withdraw(user):
            changes.append(change)
        if user not in db.session.deleted and user.email != new_email:
            user.contact_id = None
    return changes


def logout(user):
    """Note the logout and end the user's sessions everywhere."""
    end_sessions(user)
    record("auth.logout", actor=user)


def set_password(user, password):
    """Give the user a new password (policy checked), end their other sessions and every open link: a reset link
    sent before must not outlive the password it was meant to replace."""
    problem = password_problem(password)
    if problem:
        raise PasswordRefused(str(problem))
    user.password_hash = hash_password(password)
    end_sessions(user)
    spend_links(user)


def change_password(user, current_password, new_password):
    """Change one's own password after proving the current one."""
    if not verify_password(user.password_hash, current_password):
        raise PasswordRefused("wrong current password")
    set_password(user, new_password)
    record("auth.password_changed", actor=user, obj=user)


def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(user, purpose, hours):
    """A new one-time link token of the user for the purpose; earlier open links of that purpose stop working.

    Only the SHA-256 of the token is stored; the caller mails the token and forgets it.
    """
    spend_links(user, purpose)
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordResetToken(user=user, purpose=LinkPurpose(purpose), token_hash=_token_hash(token),
                                      expires_at=utcnow() + timedelta(hours=hours)))
    return token


def valid_link(token, purpose):
    """The unused, unexpired link row of this purpose for the token, or None (forged, used, expired).

    A reset link needs an active user; an invitation link is what makes its (new or disabled) user active.
    """
    row = db.session.scalars(select(PasswordResetToken).where(
        PasswordResetToken.token_hash == _token_hash(token or ""), PasswordResetToken.purpose == LinkPurpose(purpose),
    )).first()
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        return None
    if purpose == LinkPurpose.PASSWORD_RESET and not row.user.active:
        return None
    return row


def spend_links(user, purpose=None):
    """Make every open link of the user (of one purpose, or all) unusable; how many there were."""
    statement = select(PasswordResetToken).where(PasswordResetToken.user_id == user.id,
                                                 PasswordResetToken.used_at.is_(None))
    if purpose is not None:
        statement = statement.where(PasswordResetToken.purpose == LinkPurpose(purpose))
    rows = db.session.scalars(statement).all() if user.id is not None else []
    now = utcnow()
    for row in rows:
        row.used_at = now
    return len(rows)


@dataclass
class ResetAnswer:
    """What came of a request for a reset link; the person asking is told the same whatever it is."""

    #: The link's token when a mail was queued (for tests and scripts; the mail carries it).
    token: str | None = None
    #: "address" or "account" when the request was over a limit, so no mail was sent.
    throttled: str | None = None


def request_password_reset(email):
    """Mail a one-hour, single-use reset link if the account exists and the limits allow; say nothing either way.

    Every request under the address limit is counted (over it, nothing more is stored: the count cannot grow
    without bound), and the answer's time is evened out by the view.
    """
    email = normalise_email(email)
    address = current_actor().address
    reason = reset_throttle_reason(email, address)
    if reason != "address":
        db.session.add(PasswordResetRequest(email=email, address=address))
    if reason:
        current_app.logger.warning("Password reset throttled (%s) for %s from %s", reason, email, address)
        record("auth.password_reset_throttled", actor_email=email, changes={"reason": reason})
        return ResetAnswer(throttled=reason)
    user = find_user(email)
    if user is None or not user.active:
        record("auth.password_reset_unknown", actor_email=email)
        return ResetAnswer()
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    token = issue_link(user, LinkPurpose.PASSWORD_RESET, hours)
    notifications.notify_password_reset(user, token, hours)
    record("auth.password_reset_requested", actor=user, obj=user)
    return ResetAnswer(token=token)


def valid_reset_token(token):
    """The unused, unexpired reset token row for this link, or None."""
    return valid_link(token, LinkPurpose.PASSWORD_RESET)


def reset_password(token, new_password):
    """Use a reset link once: set the password, which spends every open link of the user."""
    row = valid_reset_token(token)
    if row is None:
        return None
    set_password(row.user, new_password)
    record("auth.password_reset", actor=row.user, obj=row.user)
    return row.user


def create_user(email, password, role, *, name="", company=None):
    """Make a user with a checked password; the e-mail must be new."""
    email = normalise_email(email)
    if find_user(email) is not None:
        raise ValueError(f"a user with the e-mail {email} exists")
    user = User(email=email, name=name, role=Role(role), company=company)
    set_password(user, password)
    db.session.add(user)
    db.session.flush()
    record("user.create", obj=user, changes={"email": email, "role": str(role)})
    return user


def user_for_session(user_id_and_token):
    """The user of a login cookie ("<id>:<session token>"), or None when the cookie is forged, old or the login
    closed (Flask-Login's user loader)."""
    user_id, _, token = (user_id_and_token or "").partition(":")
    try:
        user = db.session.get(User, whole_number(user_id)) if token else None
    except ValueError:
        return None
    if user is None or not user.active or user.session_token != token:
        return None
    return user
