"""``flask guides ...``: list guides, export one to a file, regenerate the kept files."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forum import permissions
from forum.extensions import db
from forum.guides.document import GuideDocument
from forum.guides.document import format_date
from forum.models import Guide
from forum.models import GuideExcerpt
from forum.models import GuideSection
from forum.models import Post
from forum.times import to_local

# The command line says "md"; the exporters call it "markdown".
CLI_FORMATS = {"html": "html", "md": "markdown", "pdf": "pdf", "docx": "docx", "odt": "odt"}

guides_cli = AppGroup("guides", help="Work with curated guides.")


def _load(slug: str) -> Guide:
    guide = db.session.scalar(
        select(Guide)
        .options(selectinload(Guide.versions),
                 selectinload(Guide.sections).selectinload(GuideSection.excerpts)
                 .selectinload(GuideExcerpt.post).selectinload(Post.author))
        .where(Guide.slug == slug))
    if guide is None:
        known = db.session.scalars(select(Guide.slug).order_by(Guide.slug)).all()
        hint = f" Known guides: {', '.join(known)}." if known else " There are no guides yet."
        raise click.ClickException(f"No guide has the address “{slug}”.{hint}")
    return guide


@guides_cli.command("list")
def list_command() -> None:
    """List every guide: address, title and published versions."""
    guides = db.session.scalars(
        select(Guide).options(selectinload(Guide.versions)).order_by(Guide.slug)).all()
    if not guides:
        click.echo("There are no guides yet.")
    for guide in guides:
        numbers = ", ".join(f"v{v.number}" for v in guide.versions) or "draft only"
        click.echo(f"{guide.slug}  {guide.title}  ({numbers})")


@guides_cli.command("export")
@click.argument("slug")
@click.option("--format", "format_name", required=True, type=click.Choice(list(CLI_FORMATS)),
              help="The file format.")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write (replaced if it exists).")
@click.option("--version", "number", type=click.IntRange(min=1), default=None,
              help="A published version number (default: the latest, or the draft if none).")
@click.option("--public", is_flag=True,
              help="For readers outside the set: leave out 'Original post' links into a "
                   "set they could not open.")
def export_command(slug: str, format_name: str, output: Path, number: int | None,
                   public: bool) -> None:
    """Export the guide SLUG to a file.

    Without --version: the latest published version, or the current draft when nothing
    has been published (the message on stderr says which). Links to the site point at
    PUBLIC_BASE_URL.
    """
    from forum.guides.compile import compile_guide
    from forum.guides.compile import get_version
    from forum.guides.compile import latest_version
    from forum.guides.compile import version_document
    from forum.guides.export import export
    from forum.guides.files import links_base

    guide = _load(slug)
    if number is not None:
        version = get_version(guide, number)
        if version is None:
            published = ", ".join(f"{v.number}" for v in guide.versions)
            raise click.ClickException(
                f"“{guide.title}” has no version {number}. "
                + (f"Published versions: {published}." if published
                   else "It has not been published yet."))
    else:
        version = latest_version(guide)
    if version is not None:
        document = version_document(version)
        what = f"version {version.number}, published {format_date(to_local(version.published_at))}"
    else:
        document = compile_guide(guide)
        what = "the current draft (it has not been published yet)"
    if not output.parent.is_dir():
        raise click.ClickException(f"The folder {output.parent} does not exist.")
    document = _links_for(guide, document, public=public)
    data = export(document.with_base_url(links_base()), CLI_FORMATS[format_name])
    try:
        output.write_bytes(data)
    except OSError as error:
        raise click.ClickException(f"Could not write {output}: {error.strerror}.") from None
    click.echo(f"Exported “{guide.title}”, {what}, as {format_name} to {output} "
               f"({len(data):,} bytes).", err=True)



def _links_for(guide: Guide, document: GuideDocument, *, public: bool) -> GuideDocument:
    """Keep or drop the links into the set, and say so: a reader outside a set that is not
    public cannot open them ("Page not found")."""
    links = document.source_link_count
    set_name = guide.learning_set.name
    # Links into a set anyone may read (signed in or not) work for every reader.
    if not links or permissions.can_view_set(None, guide.learning_set):
        if public and links:
            click.echo(f"Kept {links} “Original post” link{'s' if links != 1 else ''}: "
                       f"{set_name} is public, so anyone can open them.", err=True)
        return document
    plural = "s" if links != 1 else ""
    if public:
        click.echo(f"Left out {links} “Original post” link{plural} into {set_name}, "
                   "which readers outside the set cannot open.", err=True)
        return document.without_source_links()
    click.echo(f"Warning: the file includes {links} “Original post” link{plural} into "
               f"{set_name}, which is not public: readers outside the set cannot open "
               f"{'them' if links != 1 else 'it'}. Use --public to leave them out.", err=True)
    return document


@guides_cli.command("regenerate")
@click.option("--guide", "slug", default=None, help="Only this guide (default: every guide).")
@click.option("--missing", is_flag=True,
              help="Only the files not made yet or no longer valid (what a web process that "
                   "stopped before making a new version's files left).")
def regenerate_command(slug: str | None, missing: bool) -> None:
    """Make every published version's PDF, DOCX and ODT files afresh (after an upgrade)."""
    from forum.guides.export.storage import storage_for
    from forum.guides.files import make_missing_files
    from forum.guides.files import regenerate

    if slug is not None:
        guides = [_load(slug)]
    else:
        guides = list(db.session.scalars(
            select(Guide).options(selectinload(Guide.versions)).order_by(Guide.slug)))
    if missing:
        version_ids = [version.id for guide in guides for version in guide.versions]
        db.session.commit()  # the files are made in their own transactions
        made = make_missing_files(storage_for(), version_ids)
    else:
        made = regenerate(db.session, storage_for(), guides)
        db.session.commit()
    versions = sum(len(g.versions) for g in guides)
    click.echo(f"Made {made} file{'s' if made != 1 else ''} for {versions} published "
               f"version{'s' if versions != 1 else ''} of {len(guides)} "
               f"guide{'s' if len(guides) != 1 else ''}.")
