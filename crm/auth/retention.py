"""The accounts' part of the retention run: the rows that throttle logins and reset mails, the addresses users
logged in from, and the one-time links (password reset, portal invitation) once they are spent."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_

from crm.audit.retention import purge
from crm.auth.models import LoginAddress, LoginFailure, PasswordResetRequest, PasswordResetToken
from crm.signals import RetentionTask

DELETED = _l("slettes")


def delete_login_failures(cutoff, *, apply):
    return purge(LoginFailure, LoginFailure.at < cutoff, apply=apply)


def delete_reset_requests(cutoff, *, apply):
    return purge(PasswordResetRequest, PasswordResetRequest.at < cutoff, apply=apply)


def delete_login_addresses(cutoff, *, apply):
    """An address unused for LOGIN_KNOWN_ADDRESS_DAYS no longer counts as known (crm.auth.services), so it goes."""
    return purge(LoginAddress, LoginAddress.last_login_at < cutoff, apply=apply)


def delete_spent_links(cutoff, *, apply):
    """Links that expired or were used before the cutoff (now) open nothing any more."""
    return purge(PasswordResetToken, or_(PasswordResetToken.expires_at < cutoff,
                                         PasswordResetToken.used_at < cutoff), apply=apply)


TASKS = (
    RetentionTask("login_failures", _l("Mislykkede login"), delete_login_failures,
                  setting="RETENTION_THROTTLE_DAYS", action=DELETED, order=50),
    RetentionTask("password_reset_requests", _l("Bestillinger af ny adgangskode"), delete_reset_requests,
                  setting="RETENTION_THROTTLE_DAYS", action=DELETED, order=51),
    RetentionTask("login_addresses", _l("Adresser, brugere har logget ind fra"), delete_login_addresses,
                  setting="LOGIN_KNOWN_ADDRESS_DAYS", action=DELETED, order=52),
    RetentionTask("spent_links", _l("Links til ny adgangskode og portalinvitationer"), delete_spent_links,
                  action=DELETED, order=53),
)
