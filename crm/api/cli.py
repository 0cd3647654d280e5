"""`flask --app wsgi api token create EMAIL --name NAME [--days N] [--scope read|read-write]`."""

import click

from crm.actor import COMMAND_LINE, acting_as
from crm.api import tokens
from crm.api.models import TokenScope
from crm.auth.services import find_user
from crm.extensions import db

api_cli = click.Group("api", help="The read API (/api/v1/).")
token_cli = click.Group("token", help="Personal API tokens.")
api_cli.add_command(token_cli)


@token_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for, e.g. 'ESDH-integration'.")
@click.option("--days", type=click.IntRange(1, tokens.MAX_DAYS), default=tokens.DEFAULT_DAYS, show_default=True,
              help="Days until it expires.")
@click.option("--scope", type=click.Choice([scope.value for scope in TokenScope]), default=TokenScope.READ.value,
              show_default=True, help="read, or read-write (a timeline entry on a company).")
def create_token(email, name, days, scope):
    """Create a personal API token for the user with this e-mail and print it once."""
    user = find_user(email)
    if user is None or not user.active:
        raise click.ClickException(f"No active user with the e-mail {email}.")
    if not name.strip() or len(name.strip()) > 100:
        raise click.ClickException("The name must be 1 to 100 characters.")
    with acting_as(COMMAND_LINE):
        token, secret = tokens.create_token(user, name, scope, days)
        db.session.commit()
    click.echo(f"Token '{token.name}' for {user.email} ({token.scope}), expires {token.expires_at:%Y-%m-%d}.")
    click.echo("It is shown only now; store it safely:")
    click.echo(secret)
