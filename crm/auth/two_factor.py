"""Two-factor login (TOTP, RFC 6238): enrolment, the second step after the password, single-use recovery codes,
turning it off, and an admin's reset.

Who must use it: admins always; staff when TWO_FACTOR_STAFF is "required" (default "optional"); company users
may choose it. The secret is kept in the database as base32 text and shown only while enrolment is unconfirmed:
the server must be able to compute the codes, so encrypting it would need a key that lives beside the database
(in SECRET_KEY's environment) and a cryptography dependency; what protects it is that it is never shown again,
that the password (argon2) is still needed with it, and that backups are kept as safely as the database.
"""

import hashlib
import hmac
import re
import secrets
from base64 import b32encode
from dataclasses import dataclass

import pyotp
import segno
from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from crm.actor import current_actor
from crm.audit.services import record
from crm.auth import notifications
from crm.auth.models import LoginFailure, RecoveryCode, User
from crm.auth.services import complete_login, end_sessions
from crm.auth.throttle import throttle_reason
from crm.db import utcnow
from crm.extensions import db
from crm.security import Role

ISSUER = "Holme CRM"
#: The session key of a login waiting for its code (crm.auth.views and two_factor_views keep it there).
PENDING = "two_factor_pending"
RECOVERY_CODE_COUNT = 10
#: How many time steps (30 s) before and after now a code may belong to: a phone's clock a little off still works.
CLOCK_DRIFT_STEPS = 1


class CodeRefused(ValueError):
    """The code was wrong, already used, or there is nothing to check it against."""


def is_required(user):
    """Whether the user must have two-factor login on before reaching anything but the enrolment page."""
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.STAFF:
        return current_app.config["TWO_FACTOR_STAFF"] == "required"
    return False


def must_enrol(user):
    return is_required(user) and not user.two_factor_on


def start_enrolment(user):
    """Give the user a new secret to enrol (the first, or for a new phone; the one in force stays until the new one
    is confirmed); the secret."""
    user.two_factor_new_secret = pyotp.random_base32()
    return user.two_factor_new_secret


def pending_secret(user):
    """The secret being enrolled, shown until it is confirmed, or None."""
    return user.two_factor_new_secret


def provisioning_uri(user):
    return pyotp.TOTP(user.two_factor_new_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_svg(uri, title):
    """The otpauth URI as an inline SVG QR code: plain elements and presentation attributes, nothing the CSP
    forbids (no style attribute, no script)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=4, title=title, svgclass="two-factor-qr",
                                                 lineclass=None, omitsize=False)


def _digits(code):
    return re.sub(r"\s", "", code or "")


def _accept_totp(user, code, secret):
    """Accept a current code of the secret (the user's) once: its time step must be later than the last one the
    user used. The step is taken by a conditional UPDATE, so two requests with the same code cannot both pass."""
    code = _digits(code)
    if not secret or not re.fullmatch(r"\d{6}", code):
        return False
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(utcnow())
    for step in range(now_step - CLOCK_DRIFT_STEPS, now_step + CLOCK_DRIFT_STEPS + 1):
        if not hmac.compare_digest(totp.generate_otp(step), code):
            continue
        taken = db.session.execute(update(User).where(
            User.id == user.id,
            or_(User.two_factor_last_step.is_(None), User.two_factor_last_step < step),
        ).values(two_factor_last_step=step).execution_options(synchronize_session=False)).rowcount
        if taken == 1:
            set_committed_value(user, "two_factor_last_step", step)
            return True
        return False
    return False


def _recovery_hash(code):
    return hashlib.sha256(re.sub(r"[^a-z2-7]", "", (code or "").lower()).encode()).hexdigest()


def _new_recovery_code():
    raw = b32encode(secrets.token_bytes(10)).decode().lower()  # 80 bits, 16 characters
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def new_recovery_codes(user):
    """Replace the user's recovery codes with ten new ones; the codes, to be shown once (only hashes are kept)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(code)) for code in codes)
    return codes


def _use_recovery_code(user, code):
    """Spend one unused recovery code of the user (a conditional UPDATE: used once, even by two requests)."""
    if not user.two_factor_on or len(re.sub(r"[^a-z2-7]", "", (code or "").lower())) != 16:
        return False
    return db.session.execute(update(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _recovery_hash(code), RecoveryCode.used_at.is_(None),
    ).values(used_at=utcnow()).execution_options(synchronize_session=False)).rowcount == 1


def remaining_recovery_codes(user):
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


def check_code(user, code):
    """Accept a current authenticator code or an unused recovery code of a user with two-factor login on:
    "totp", "recovery", or None when refused."""
    if not user.two_factor_on:
        return None
    if _accept_totp(user, code, user.two_factor_secret):
        return "totp"
    if _use_recovery_code(user, code):
        return "recovery"
    return None


def confirm_enrolment(user, code):
    """Put the secret being enrolled in force once the user proves it with a current code (a new phone replaces the
    old one), and end the user's sessions elsewhere: one opened with a stolen password alone (or the old phone)
    must not outlive it. Ten new recovery codes, to be shown once."""
    if not _accept_totp(user, code, user.two_factor_new_secret):
        raise CodeRefused("wrong code")
    replacing = user.two_factor_on
    user.two_factor_secret, user.two_factor_new_secret = user.two_factor_new_secret, None
    user.two_factor_enabled_at = utcnow()
    end_sessions(user)
    codes = new_recovery_codes(user)
    record("auth.two_factor_replaced" if replacing else "auth.two_factor_enabled", actor=user, obj=user)
    return codes


def _clear(user):
    user.two_factor_secret = user.two_factor_new_secret = None
    user.two_factor_enabled_at = None
    user.two_factor_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def turn_off(user, code):
    """Turn the user's own two-factor login off after a current code or a recovery code."""
    if check_code(user, code) is None:
        raise CodeRefused("wrong code")
    _clear(user)
    record("auth.two_factor_disabled", actor=user, obj=user)


def replace_recovery_codes(user, code):
    """Ten new recovery codes for the user after a current code (the old ones stop working)."""
    if check_code(user, code) is None:
        raise CodeRefused("wrong code")
    codes = new_recovery_codes(user)
    record("auth.two_factor_recovery_codes_replaced", actor=user, obj=user)
    return codes


def reset_by_admin(user, *, by):
    """An admin turns another user's two-factor login off (a lost phone): the user's sessions end, it is audited
    and the user is told by mail. False when it was not on."""
    if not user.two_factor_on and not user.two_factor_new_secret:
        return False
    if user.id == by.id:
        raise CodeRefused("an admin turns off their own two-factor login with a code")
    _clear(user)
    end_sessions(user)
    record("auth.two_factor_reset", actor=by, obj=user, changes={"email": user.email})
    notifications.notify_two_factor_reset(user, by)
    return True


def users_with_two_factor():
    return db.session.scalars(select(User).where(User.two_factor_enabled_at.is_not(None)).order_by(User.email)).all()


@dataclass
class SecondStep:
    user: User | None = None
    throttled: bool = False
    #: "totp" or "recovery" when the code was accepted.
    kind: str | None = None


def second_step(user, code):
    """The code after the password: throttled like the login (per account and address), a wrong code counted as a
    failed login; an accepted code completes the login."""
    address = current_actor().address
    reason = throttle_reason(user.email, address)
    if reason:
        current_app.logger.warning("Two-factor step throttled (%s) for %s from %s", reason, user.email, address)
        record("auth.two_factor_throttled", actor=user, changes={"reason": reason})
        return SecondStep(throttled=True)
    kind = check_code(user, code)
    if kind is None:
        db.session.add(LoginFailure(email=user.email, address=address))
        record("auth.two_factor_failed", actor=user)
        return SecondStep()
    if kind == "recovery":
        record("auth.two_factor_recovery_code_used", actor=user, obj=user)
    complete_login(user)
    return SecondStep(user=user, kind=kind)
