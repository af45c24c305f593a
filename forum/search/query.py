"""What someone typed in the search box, parsed once into words, phrases and exclusions.

Both engines are given the same parsed query and build their own from its words alone (FTS5:
quoted terms; PostgreSQL: ``phraseto_tsquery`` per term), so no input reaches an engine as its
own operators (``NEAR``, ``OR``, ``*``, ``:``...).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
# A word is letters, digits and joiners inside a word (apostrophes, hyphens become breaks).
_WORD = re.compile(r"\w+", re.UNICODE)
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')


class QueryProblem(ValueError):
    """The query cannot be searched; the message says what to do."""


@dataclass(frozen=True)
class ParsedQuery:
    text: str                             # cleaned, as shown back in the box
    required: tuple[tuple[str, ...], ...]  # each a word (1-tuple) or a phrase (its words)
    excluded: tuple[tuple[str, ...], ...]


def _clean(raw: str) -> str:
    """Normalise (NFC), turn control and format characters into spaces, collapse spaces."""
    text = unicodedata.normalize("NFC", raw)
    text = "".join(" " if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn")
                   else char for char in text)
    return " ".join(text.split())


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.lower() for word in _WORD.findall(text))


def parse(raw: str) -> ParsedQuery:
    """Words, ``"quoted phrases"`` and ``-excluded`` words or phrases; AND between them."""
    text = _clean(raw or "")
    if not text:
        raise QueryProblem("Enter a word or phrase to search for.")
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryProblem(f"Search for {MAX_QUERY_LENGTH} characters or fewer "
                           f"(this has {len(text):,}).")
    required: list[tuple[str, ...]] = []
    excluded: list[tuple[str, ...]] = []
    for match in _TOKEN.finditer(text):
        negated = bool(match.group(1) or match.group(3))
        quoted = match.group(2)
        words = _words(quoted if quoted is not None else match.group(4))
        if not words:
            continue
        parts = [words] if quoted is not None else [(word,) for word in words]
        (excluded if negated else required).extend(parts)
    if not required:
        raise QueryProblem("Enter a word to search for, not only words to leave out."
                           if excluded else "Enter letters or numbers to search for.")
    if len(required) + len(excluded) > MAX_TERMS:
        raise QueryProblem(f"Search for {MAX_TERMS} words or phrases at most.")
    return ParsedQuery(text=text, required=tuple(dict.fromkeys(required)),
                       excluded=tuple(dict.fromkeys(excluded)))


def fts5_query(query: ParsedQuery) -> str:
    """The query in SQLite FTS5 syntax, every term quoted so none is read as an operator."""
    def quoted(words: tuple[str, ...]) -> str:
        return '"' + " ".join(words).replace('"', '""') + '"'

    match = " ".join(quoted(words) for words in query.required)
    for words in query.excluded:
        match += f" NOT {quoted(words)}"
    return match
