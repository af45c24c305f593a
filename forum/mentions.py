"""@mentions: each member's handle (from their name, as shown on their profile) and the
handles a post's Markdown mentions (outside quotations, which repeat someone else's words)."""

from __future__ import annotations

import re
import unicodedata

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
