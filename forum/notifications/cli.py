"""``flask --app forum notifications ...``: commands a scheduler runs (docs/notifications.md).

They hang off the blueprint's own command group, so registering the blueprint registers them.
"""

from __future__ import annotations

import click
from flask import current_app

from forum import outbox
from forum.notifications import bp
from forum.notifications import delivery


@bp.cli.command("send-pending")
@click.option("--limit", default=200, show_default=True, help="Most emails to send in one run.")
def send_pending(limit: int) -> None:
    """Send the queued emails that are due (all kinds), retrying earlier failures."""
    report = outbox.deliver_pending(current_app._get_current_object(), limit=limit)
    click.echo(f"Sent {report.sent}, failed {report.failed} (will retry), "
               f"skipped {report.skipped}.")


@bp.cli.command("send-digests")
def send_digests() -> None:
    """Email each user who chose a daily summary their unread notifications since the last one."""
    queued = delivery.send_digests(current_app._get_current_object())
    click.echo(f"Queued {queued} daily summar{'y' if queued == 1 else 'ies'}.")
