"""`flask contributions bill YEAR [--dry-run]` and `flask contributions remind`."""

import click
from flask.cli import AppGroup

from crm.contributions import billing, reminders
from crm.extensions import db
from crm.i18n import kroner

contributions_cli = AppGroup("contributions", help="Bidrag: fakturering og påmindelser.")


@contributions_cli.command("bill")
@click.argument("year", type=click.IntRange(2000, 2100))
@click.option("--dry-run", is_flag=True, help="Vis hvem der ville blive faktureret, uden at gemme.")
def bill_command(year, dry_run):
    """Bill every paying company not yet billed for YEAR under the year's adopted scheme."""
    try:
        result = billing.bill(year, dry_run=dry_run)
    except billing.BillingRefused as refused:
        db.session.rollback()
        if refused.reason == "no_scheme":
            raise click.ClickException(f"Der er ingen vedtaget ordning for {year}.") from None
        raise click.ClickException(f"En anden faktureringskørsel for {year} er i gang; prøv igen.") from None
    if dry_run:
        db.session.rollback()
        click.echo(f"Ville fakturere {len(result.billed)} virksomheder for {year}: {kroner(result.total_ore)} "
                   f"inkl. moms ({result.already_billed} er allerede faktureret).")
        return
    db.session.commit()
    click.echo(f"Faktureret {len(result.billed)} virksomheder for {year}: {kroner(result.total_ore)} inkl. moms; "
               f"{result.not_mailed} uden e-mailmodtager (kladder), {result.waived} fritaget, "
               f"{result.already_billed} var allerede faktureret.")
    _echo_skipped(result.skipped)


@contributions_cli.command("remind")
def remind_command():
    """Queue the first and second reminders that are due."""
    sent = reminders.send_reminders()
    db.session.commit()
    click.echo(f"Påmindelser: {sent['reminder_1']} første, {sent['reminder_2']} anden.")
    _echo_skipped(sent.skipped)


def _echo_skipped(skipped):
    """Name the recipients the outbox refused (a line break in the contact's name or address)."""
    if skipped:
        click.echo("Ikke sendt, fordi kontaktpersonens navn eller e-mailadresse ikke kan stå i en e-mail; ret "
                   "kontaktpersonen, og send fra fakturasiden:")
        for name in skipped:
            click.echo(f"  {name}")
