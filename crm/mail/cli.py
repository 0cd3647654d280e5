"""`flask mail ...` commands."""

import logging
import os
import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from crm.mail import worker

mail_cli = AppGroup("mail", help="Udgående post.")


@mail_cli.command("worker")
@click.option("--once", is_flag=True, help="Send alt, der venter nu, og stop (exit 0).")
@click.option("--batch-size", type=click.IntRange(1, 1000), default=worker.DEFAULT_BATCH_SIZE, show_default=True,
              help="Antal mails, der hentes og sendes over én SMTP-forbindelse ad gangen.")
@click.option("--poll-seconds", type=click.FloatRange(0.05), default=worker.DEFAULT_POLL_SECONDS, show_default=True,
              help="Sekunder mellem kig i køen, når intet venter.")
@click.option("--nice", type=click.IntRange(0, 19), default=None,
              help="Hvor meget workeren sænker sin CPU-prioritet (standard: MAIL_WORKER_NICE, 10).")
def worker_command(once, batch_size, poll_seconds, nice):
    """Deliver the outbox over SMTP until stopped (SIGTERM/SIGINT), or with --once until nothing is due."""
    try:
        worker.check_configured()
    except worker.MailNotConfigured as error:
        raise click.ClickException(str(error)) from None
    _lower_priority(current_app.config["MAIL_WORKER_NICE"] if nice is None else nice)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger(worker.__name__).setLevel(logging.INFO)

    stop = threading.Event()

    def request_stop(signum, frame):
        click.echo("Stopper efter den mail, der sendes nu …", err=True)
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        totals = worker.run_worker(once=once, batch_size=batch_size, poll_seconds=poll_seconds, stop=stop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo(
        f"Mail-workeren stoppede. Sendt: {totals.sent}, prøves igen senere: {totals.retried}, "
        f"fejlet: {totals.failed}, lagt tilbage i køen: {totals.released}."
    )


def _lower_priority(increment):
    """Yield the CPU to the app servers on the same machine: mail can wait a moment, a person at a page cannot."""
    if increment and hasattr(os, "nice"):
        os.nice(increment)
