"""`flask mail ...` commands."""

from flask.cli import AppGroup

mail_cli = AppGroup("mail", help="Udgående post.")
