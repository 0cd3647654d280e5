"""`flask partnership end-memberships`: members whose notice has run out become invited again."""

from flask.cli import AppGroup

from crm.extensions import db
from crm.partnership import services

partnership_cli = AppGroup("partnership", help="Partnerskabet: medlemskaber, der er opsagt.")


@partnership_cli.command("end-memberships")
def end_memberships_command():
    """End the memberships whose notice has run out (run daily, e.g. from cron); they stay in the network."""
    ended = services.end_memberships()
    db.session.commit()
    print(f"{ended} medlemskaber er afsluttet.")
