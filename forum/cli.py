"""``flask`` commands: set up the database, create an admin, load the demo."""

from __future__ import annotations

import click
from flask import Flask
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from forum.extensions import db
from forum.files.cli import files_cli
from forum.guides.cli import guides_cli
from forum.models import User
from forum.operations.cli import backup_command
from forum.operations.cli import restore_command
from forum.passwords import password_problems
from forum.text import line_problem
from forum.text import normalise_line


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(guides_cli)
    app.cli.add_command(files_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(retention_command)


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema (runs every migration)."""
    import flask_migrate  # Alembic: loaded only when migrations run (memory per worker)

    flask_migrate.upgrade()
    click.echo("The database is up to date.")


@click.command("create-admin")
@with_appcontext
@click.argument("email")
@click.option("--name", required=True, help="The name shown to other people.")
@click.option("--organisation", default="", help="The admin's council or organisation.")
@click.password_option(help="Asked for when not given (hidden, typed twice).")
def create_admin_command(email: str, name: str, organisation: str, password: str) -> None:
    """Create a site admin account, or make an existing account an admin."""
    email = email.strip().lower()
    if "@" not in email:
        raise click.BadParameter("Enter an email address, like name@example.org.",
                                 param_hint="EMAIL")
    name, organisation = normalise_line(name), normalise_line(organisation)
    if not name:
        raise click.BadParameter("Enter the name shown to other people.", param_hint="--name")
    for param, value in (("--name", name), ("--organisation", organisation)):
        problem = line_problem(value) if value else None
        if problem:
            raise click.BadParameter(f"The value {problem}.", param_hint=param)
    problems = password_problems(password, [email, name, organisation])
    if problems:
        raise click.ClickException("Choose a stronger password: " + "; ".join(problems) + ".")
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, display_name=name, organisation=organisation)
        db.session.add(user)
        verb = "Created"
    else:
        verb = "Updated"
    user.is_admin = True
    user.set_password(password)
    db.session.commit()
    click.echo(f"{verb} admin account {email}.")


@click.command("demo")
@with_appcontext
@click.option("--password", default=None,
              help="Password for every demo account (default: a fixed passphrase).")
def demo_command(password: str | None) -> None:
    """Load demo people, learning sets and threads (safe to run again: nothing is duplicated).

    Run 'flask --app forum init-db' first: this command expects the schema to exist.
    """
    from forum.demo import DEFAULT_PASSWORD
    from forum.demo import format_accounts
    from forum.demo import load_demo

    password = password or DEFAULT_PASSWORD
    problems = password_problems(password)
    if problems:
        raise click.ClickException("Choose a stronger password: " + "; ".join(problems) + ".")
    summary = load_demo(db.session, password)
    db.session.commit()
    click.echo(f"Demo content: {summary.created_users} new accounts, {summary.created_sets} new "
               f"learning sets, {summary.created_threads} new threads "
               f"({summary.created_posts} posts), {summary.created_guides} new published "
               f"guide{'' if summary.created_guides == 1 else 's'}.")
    click.echo(format_accounts(summary))


@click.command("retention")
@with_appcontext
def retention_command() -> None:
    """Delete old notifications, sent emails, finished invitations and expired data downloads
    (see the privacy notice), and uploaded files whose record is gone (as 'files sweep' does).

    Run it once a day (docs/deploy/forum-retention.timer).
    """
    from forum.files.storage import upload_folder
    from forum.files.sweep import sweep_orphans
    from forum.models import utcnow
    from forum.people.storage import export_storage
    from forum.retention import prune

    pruned = prune(db.session, current_app.config, utcnow(), export_storage())
    db.session.commit()
    click.echo(pruned.describe())
    click.echo(sweep_orphans(db.session, upload_folder()).describe())
