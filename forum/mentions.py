"""@mentions: each member's handle (from their name, as shown on their profile) and the
handles a post's Markdown mentions (outside quotations, which repeat someone else's words)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Set

from markupsafe import Markup
from markupsafe import escape
from sqlalchemy.orm import Session

from forum import permissions
from forum.models import User

_MENTION = re.compile(r"(?<![\w@.])@([^\W_][\w.\-]*[^\W_]|[^\W_])", re.UNICODE)


def handle_of(display_name: str) -> str:
    """``Aisha Rahman`` → ``aisha.rahman``: lower case, accents kept, words joined by dots."""
    text = unicodedata.normalize("NFC", display_name).lower()
    words = re.findall(r"[^\W_]+", text, re.UNICODE)
    return ".".join(words)


def mentioned_handles(source: str) -> set[str]:
    """The handles ``@``-mentioned in the post's own words (quoted lines left out)."""
    own = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(">"))
    return {match.lower().rstrip(".-") for match in _MENTION.findall(own)}


# --- mentions in rendered HTML --------------------------------------------------------------

# A tag of the sanitised HTML (``forum.text``: no comments, scripts or attributes with ``>``).
_TAG = re.compile(r"(<[^>]*>)")
_SKIP_INSIDE = frozenset({"a", "code", "pre"})


def _replace_in_text(html: str, replace: Callable[[re.Match[str]], str | None],
                     skip: Set[str] = _SKIP_INSIDE) -> str:
    """Apply ``replace`` to each mention in the text of ``html`` (not inside the ``skip``
    elements). ``replace`` returns the new HTML, or None to keep the mention."""
    parts = _TAG.split(html)
    depth = 0
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            name = part.strip("</>").split(None, 1)[0].lower() if part.strip("</>") else ""
            if name in skip:
                depth += -1 if part.startswith("</") else 1
            continue
        if depth or "@" not in part:
            continue

        def swap(match: re.Match[str]) -> str:
            new = replace(match)
            return match.group(0) if new is None else new

        parts[index] = _MENTION.sub(swap, part)
    return "".join(parts)


def _handle_in(match: re.Match[str]) -> tuple[str, str]:
    """(the handle as looked up, the characters after it that are not part of it)."""
    written = match.group(1)
    handle = written.rstrip(".-")
    return handle.lower(), written[len(handle):]


def link_mentions(html: str, links: Mapping[str, str]) -> str:
    """``@handle`` becomes a link where ``links`` maps the handle to an address; others stay text.

    ``html`` is sanitised HTML; the link's text is the handle as written (letters, digits,
    dots and hyphens only) and its address comes from ``links``, both escaped.
    """
    if not links or "@" not in html:
        return html

    def link(match: re.Match[str]) -> str | None:
        handle, rest = _handle_in(match)
        url = links.get(handle)
        if url is None:
            return None
        written = match.group(1)[: len(match.group(1)) - len(rest)]
        return str(Markup('<a class="govuk-link forum-mention" href="{}">@{}</a>{}').format(
            url, written, rest))

    return _replace_in_text(html, link)


def mask_mentions(html: str, keep: Set[str], replacement: str) -> str:
    """Every ``@handle`` not in ``keep`` becomes ``replacement`` (for guides, where a mention
    must not name someone who chose not to be credited by name; in code and links too)."""
    if "@" not in html:
        return html

    def mask(match: re.Match[str]) -> str | None:
        handle, rest = _handle_in(match)
        if handle in keep:
            return None
        return str(escape(replacement)) + rest

    return _replace_in_text(html, mask, skip=frozenset())


def members_by_handle(session: Session, learning_set_id: int) -> dict[str, User]:
    """The set's active members by handle, in one query (a handle two members share names
    neither: a mention of it stays plain text)."""
    members = session.scalars(permissions.members_of(learning_set_id)).all()
    found: dict[str, User] = {}
    shared: set[str] = set()
    for member in members:
        handle = handle_of(member.display_name)
        if handle in found:
            shared.add(handle)
        found[handle] = member
    return {handle: member for handle, member in found.items() if handle and handle not in shared}


SUGGESTIONS_MAX = 8


def suggestions(session: Session, learning_set_id: int, prefix: str, *,
                exclude_id: int | None = None) -> list[User]:
    """Up to eight of the set's active members whose handle, or a word of whose name, starts
    with ``prefix`` (handles first, in alphabetical order); never the one asking."""
    wanted = handle_of(prefix.lstrip("@"))
    if not wanted:
        return []
    matches = []
    for handle, member in members_by_handle(session, learning_set_id).items():
        if member.id == exclude_id:
            continue
        if handle.startswith(wanted):
            matches.append((0, handle, member))
        elif any(word.startswith(wanted) for word in handle.split(".")[1:]):
            matches.append((1, handle, member))
    matches.sort(key=lambda match: match[:2])
    return [member for _, _, member in matches[:SUGGESTIONS_MAX]]
