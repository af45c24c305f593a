"""``flask --app forum notifications ...``: commands a scheduler runs (docs/notifications.md).

They hang off the blueprint's own command group, so registering the blueprint registers them.
"""

from __future__ import annotations

from collections import Counter

import click
from flask import current_app

from forum import outbox
from forum.notifications import bp
from forum.notifications import delivery
from forum.notifications import reminders

bp.cli.help = "Send the queued emails and the daily summaries (commands for a scheduler)."
bp.cli.short_help = "Send queued emails and daily summaries (for a scheduler)."


@bp.cli.command("send-pending")
@click.option("--limit", default=200, show_default=True, type=click.IntRange(min=1),
              help="Most emails to send in one run.")
def send_pending(limit: int) -> None:
    """Send the queued emails that are due (all kinds), retrying earlier failures: run it
    every minute. Exits 1, with one line saying how many and why, when any could not be sent
    this run (so a systemd timer's unit shows as failed); they stay queued and are retried."""
    report = outbox.deliver_pending(current_app._get_current_object(), limit=limit)
    if report.failed:
        raise click.ClickException(_failure_line(report))
    click.echo(f"Sent {report.sent}, failed 0, skipped {report.skipped}.")


def _failure_line(report: outbox.DeliveryReport) -> str:
    tried = report.sent + report.failed + report.skipped
    reasons = Counter(" ".join(error.split())[:300] for error in report.errors)
    why, _ = reasons.most_common(1)[0]
    others = len(reasons) - 1
    if others:
        why += f"; and {others} other error{'' if others == 1 else 's'}, in the log"
    retried = report.failed - report.given_up
    fates = []
    if retried == report.failed:
        fates.append(f"{'it stays' if retried == 1 else 'they stay'} queued and "
                     f"{'is' if retried == 1 else 'are'} retried later")
    elif retried:
        fates.append(f"{retried} stay{'s' if retried == 1 else ''} queued and "
                     f"{'is' if retried == 1 else 'are'} retried later")
    if report.given_up:
        fates.append(f"{report.given_up} {'was' if report.given_up == 1 else 'were'} given up "
                     f"after {outbox.MAX_ATTEMPTS} attempts (`flask --app forum notifications "
                     "retry-given-up` queues them again)")
    return (f"Could not send {report.failed} of {tried} due email{'' if tried == 1 else 's'} "
            f"({why}): {'; '.join(fates)}. Sent {report.sent}, skipped {report.skipped}.")


@bp.cli.command("retry-given-up")
@click.option("--days", default=7, show_default=True, type=click.IntRange(min=1),
              help="Emails given up within this many days.")
def retry_given_up(days: int) -> None:
    """Queue again the emails given up after every attempt failed (the mail server was down
    for more than a day or so): the next send-pending sends them."""
    from datetime import timedelta

    from forum.extensions import db
    from forum.models import utcnow

    count = outbox.retry_given_up(db.session, utcnow(), timedelta(days=days))
    db.session.commit()
    click.echo(f"Queued again {count} email{'' if count == 1 else 's'} given up in the last "
               f"{days} day{'' if days == 1 else 's'}; send-pending sends them next.")


@bp.cli.command("send-digests")
def send_digests() -> None:
    """Send the daily summaries: run it once a day.

    Asks the holders of actions that fell due for an update, then emails each user who chose a
    daily summary their unread notifications since the last one. Run more often, it would send
    a "daily" summary each time something new happened.
    """
    app = current_app._get_current_object()
    reminded = reminders.send_due_reminders(app)
    click.echo(f"Reminded {reminded} holder{'' if reminded == 1 else 's'} of actions due.")
    queued = delivery.send_digests(app)
    click.echo(f"Queued {queued} daily summar{'y' if queued == 1 else 'ies'}.")


@bp.cli.command("send-reminders")
def send_reminders() -> None:
    """Ask the holder of each action that fell due (and is still open) for an update, once."""
    reminded = reminders.send_due_reminders(current_app._get_current_object())
    click.echo(f"Reminded {reminded} holder{'' if reminded == 1 else 's'} of actions due.")
