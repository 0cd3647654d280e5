"""The limits on guessing: failed logins throttled per account and address, the addresses a user is known at, and
the limit on reset-link requests. They live in the database, so every app process shares them."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from crm.actor import current_actor
from crm.auth.models import LoginAddress, LoginFailure, PasswordResetRequest, User
from crm.db import utcnow
from crm.extensions import db


def throttle_reason(email, address):
    """Why a login attempt for the account (e-mail) from the address is refused before its password is checked,
    or None. Failures are counted within LOGIN_THROTTLE_WINDOW:

    - "account_address": the account failed LOGIN_THROTTLE_PER_ACCOUNT_ADDRESS times from this address. This stops
      a guesser at one address without touching the account's owner anywhere else.
    - "address": this address failed LOGIN_THROTTLE_PER_ADDRESS times, whatever the accounts (one guesser trying
      many accounts).
    - "account": the account failed LOGIN_THROTTLE_PER_ACCOUNT times from all addresses together (guessing spread
      over many addresses), and the user has not logged in from this address within LOGIN_KNOWN_ADDRESS_DAYS. The
      addresses the user has used go on as before, so the owner is not locked out by strangers; new addresses wait
      until the failures age out of the window, which bounds a distributed guesser to about PER_ACCOUNT guesses per
      window.

    An unknown e-mail is counted like an account, so the answers do not tell whether it exists.
    """
    config = current_app.config
    since = utcnow() - timedelta(seconds=config["LOGIN_THROTTLE_WINDOW"])
    by_account, by_address = LoginFailure.email == email, LoginFailure.address == address
    # One query for the three counts: a login waits for this on every attempt.
    account_address, from_address, for_account = db.session.execute(
        select(func.count().filter(by_account & by_address), func.count().filter(by_address),
               func.count().filter(by_account))
        .where(LoginFailure.at >= since, or_(by_account, by_address))
    ).one()
    if account_address >= config["LOGIN_THROTTLE_PER_ACCOUNT_ADDRESS"]:
        return "account_address"
    if from_address >= config["LOGIN_THROTTLE_PER_ADDRESS"]:
        return "address"
    if for_account >= config["LOGIN_THROTTLE_PER_ACCOUNT"] and not _is_known_address(email, address):
        return "account"
    return None


def _known_since():
    return utcnow() - timedelta(days=current_app.config["LOGIN_KNOWN_ADDRESS_DAYS"])


def _is_known_address(email, address):
    return db.session.scalar(select(LoginAddress.id).join(User, User.id == LoginAddress.user_id).where(
        User.email == email, LoginAddress.address == address, LoginAddress.last_login_at >= _known_since(),
    ).limit(1)) is not None


def remember_login_address(user):
    """Note that the user logged in from the current actor's address (see throttle_reason); forget the user's
    addresses unused for too long."""
    address = current_actor().address
    now = utcnow()
    db.session.execute(delete(LoginAddress).where(LoginAddress.user_id == user.id,
                                                  LoginAddress.last_login_at < _known_since()))
    known = db.session.execute(update(LoginAddress).where(LoginAddress.user_id == user.id,
                                                          LoginAddress.address == address)
                               .values(last_login_at=now).execution_options(synchronize_session=False))
    if known.rowcount:
        return
    try:
        with db.session.begin_nested():  # a second tab logging in at the same moment may have added it
            db.session.add(LoginAddress(user_id=user.id, address=address, last_login_at=now))
    except IntegrityError:
        pass


def reset_throttle_reason(email, address):
    """Why a reset request is answered without a mail, or None. Within PASSWORD_RESET_THROTTLE_WINDOW:
    "address" when the address asked PASSWORD_RESET_PER_ADDRESS times (whatever the e-mails), "account" when the
    e-mail was asked for PASSWORD_RESET_PER_ACCOUNT times (from any address, whether or not a user has it: mails
    to a person stay few, and the limit does not tell whether the account exists)."""
    config = current_app.config
    since = utcnow() - timedelta(seconds=config["PASSWORD_RESET_THROTTLE_WINDOW"])
    recent = select(func.count()).select_from(PasswordResetRequest).where(PasswordResetRequest.at >= since)
    if db.session.scalar(recent.where(PasswordResetRequest.address == address)) >= config["PASSWORD_RESET_PER_ADDRESS"]:
        return "address"
    if db.session.scalar(recent.where(PasswordResetRequest.email == email)) >= config["PASSWORD_RESET_PER_ACCOUNT"]:
        return "account"
    return None
