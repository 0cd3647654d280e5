"""`flask users ...` commands."""

import sys

import click
from flask.cli import AppGroup

from crm.auth import services
from crm.extensions import db
from crm.security import Role

users_cli = AppGroup("users", help="Brugere af Holme CRM.")


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Læs adgangskoden fra standard input.")
@click.option("--name", default="", help="Brugerens navn.")
def create_admin(email, password_stdin, name):
    """Create an admin user, asking for the password (or reading it from standard input)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Adgangskode", hide_input=True, confirmation_prompt="Gentag adgangskode")
    try:
        services.create_user(email, password, Role.ADMIN, name=name)
    except services.PasswordRefused as error:
        raise click.ClickException(f"Adgangskoden kan ikke bruges: {error}") from None
    except ValueError as error:
        raise click.ClickException(f"Brugeren findes allerede: {services.normalise_email(email)}") from error
    db.session.commit()
    click.echo(f"Administrator oprettet: {services.normalise_email(email)}")
