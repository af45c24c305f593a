"""Pure: is a trimmed excerpt the member's own words, in their order, with every gap marked?

A trim may only leave out whole words. It keeps the order, marks each place where something
was left out with an ellipsis ("…"; "..." and "[…]" are accepted and shown as "…"), and adds
nothing: no word, no link, no emphasis, no heading. Both texts are compared as readers see
them, that is as rendered by :func:`forum.text.render_markdown`: each word together with the
formatting around it (link address, bold, italics, code, quotation, heading). Spacing, line
breaks, paragraphs and list bullets are free, so a trim can be reflowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

# "…", "..." (three dots or more), and either in square or round brackets: one gap mark.
GAP_PATTERN = re.compile(r"[\[(]\s*(?:…|\.{3,})\s*[\])]|…|\.{3,}")
# Numbers keep their separators ("10,000", "3.5"); other punctuation is a word of its own.
_WORD = re.compile(r"\d+(?:[.,]\d+)+|\w+(?:['’\-]\w+)*|[^\w\s]")
# The formatting that changes what a word says or how it stands out.
_MEANINGFUL = frozenset({"a", "strong", "em", "code", "pre", "del", "s", "blockquote",
                         "h2", "h3", "h4", "h5", "h6"})
_DESCRIBED = {"a": "a link", "strong": "bold", "em": "italics", "code": "code",
              "pre": "code", "del": "struck through", "s": "struck through",
              "blockquote": "a quotation", "h2": "a heading", "h3": "a heading",
              "h4": "a heading", "h5": "a heading", "h6": "a heading"}
RULE = "―"  # a thematic break (<hr>) counts as one word: it can be left out, not added

Context = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Token:
    word: str
    context: Context = ()
    gap: bool = False  # a gap mark written by the curator (only in trims)


GAP = Token("…", gap=True)


class _Tokenizer(HTMLParser):
    def __init__(self, marks_gaps: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.marks_gaps = marks_gaps
        self.stack: list[tuple[str, str]] = []
        self.tokens: list[Token] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "hr":
            self.tokens.append(Token(RULE, self._context()))
        elif tag in _MEANINGFUL:
            detail = dict(attrs).get("href") or "" if tag == "a" else ""
            self.stack.append((tag, detail))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def _context(self) -> Context:
        # "pre" always wraps "code": one of them is enough to say "code".
        return tuple(sorted({("code", "") if tag == "pre" else (tag, detail)
                             for tag, detail in self.stack}))

    def handle_data(self, data: str) -> None:
        context = self._context()
        position = 0
        for match in GAP_PATTERN.finditer(data):
            self._words(data[position:match.start()], context)
            self.tokens.append(GAP if self.marks_gaps else Token("…", context))
            position = match.end()
        self._words(data[position:], context)

    def _words(self, text: str, context: Context) -> None:
        self.tokens.extend(Token(word, context) for word in _WORD.findall(text))


def tokens(html: str, *, marks_gaps: bool) -> list[Token]:
    """The words of rendered HTML with their formatting; gap marks become :data:`GAP` when
    ``marks_gaps`` (a trim), and plain "…" words otherwise (the member's own text)."""
    parser = _Tokenizer(marks_gaps)
    parser.feed(html)
    parser.close()
    return parser.tokens


def normalise_gaps(source: str) -> str:
    """Write every gap mark as "…", the one readers see."""
    return GAP_PATTERN.sub("…", source)


def _segments(trim: list[Token]) -> tuple[bool, list[list[Token]], bool]:
    """(marked before, runs of words between gap marks, marked after)."""
    runs: list[list[Token]] = [[]]
    for token in trim:
        if token.gap:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(token)
    leading = bool(trim) and trim[0].gap
    trailing = bool(trim) and trim[-1].gap
    return leading, [run for run in runs if run], trailing


def _quote(run: list[Token], limit: int = 8, *, tail: bool = False) -> str:
    """Some words of ``run`` as a reader would recognise them: its start (or its end)."""
    shown = run[-limit:] if tail else run[:limit]
    text = ""
    for token in shown:
        joined = not text or (not token.word[0].isalnum() and token.word not in "(“‘\"'")
        text += token.word if joined else " " + token.word
    if len(run) > limit:
        text = f"… {text}" if tail else f"{text} …"
    return f"“{text}”"


def _describe(context: Context) -> str:
    return " and ".join(sorted({_DESCRIBED[tag] for tag, _ in context}))


class _Words:
    """The original's words, each with every formatting it has somewhere in the post."""

    def __init__(self, original: list[Token]) -> None:
        self.contexts: dict[str, list[Context]] = {}
        for token in original:
            contexts = self.contexts.setdefault(token.word, [])
            if token.context not in contexts:
                contexts.append(token.context)
        self.longer: list[str] | None = None

    def is_cut(self, word: str) -> bool:
        if self.longer is None:
            self.longer = list(self.contexts)
        return any(word in other for other in self.longer if len(other) > len(word))

    def problem(self, token: Token) -> str | None:
        """Why ``token`` cannot come from the post at all, or ``None`` when it could."""
        contexts = self.contexts.get(token.word)
        if not contexts and token.word == RULE:
            return "The trim adds a horizontal line (---) that the post does not have"
        if not contexts:
            if self.is_cut(token.word):
                return (f"“{token.word}” cuts a word of the post in two: leave out whole words "
                        "only")
            return (f"“{token.word}” is not in the post: a trim can only leave words out, "
                    "never add any")
        if token.context in contexts:
            return None
        theirs = contexts[0]
        added = [item for item in token.context if item not in theirs]
        if any(tag == "a" for tag, _ in added):
            if any(tag == "a" for tag, _ in theirs):
                return f"“{token.word}” links somewhere else than in the post"
            return (f"“{token.word}” is a link in the trim but not in the post: a trim cannot "
                    "add links")
        if added:
            return (f"“{token.word}” is shown as {_describe(tuple(added))}, which the post "
                    "does not do: a trim cannot add formatting")
        removed = tuple(item for item in theirs if item not in token.context)
        return (f"“{token.word}” is {_describe(removed)} in the post: keep the post’s "
                "formatting")


class _Finder:
    """Finds runs of tokens in the original quickly: each distinct token is one character,
    so a run is found with ``str.find``."""

    def __init__(self, original: list[Token]) -> None:
        self.codes: dict[Token, str] = {}
        self.text = "".join(self._code(t) for t in original)

    def _code(self, token: Token) -> str:
        return self.codes.setdefault(token, chr(0x1000 + len(self.codes)))

    def find(self, run: list[Token], start: int) -> int:
        if any(t not in self.codes for t in run):
            return -1
        return self.text.find("".join(self.codes[t] for t in run), start)


def trim_problem(original_html: str, trimmed_html: str) -> str | None:
    """Why the rendered trim is not the rendered original with words left out, or ``None``.

    Runs of words between gap marks are placed leftmost first, which finds a placement
    whenever one exists: each run must follow the previous one with something left out
    between them, the first starts the post unless a mark comes before it, and the last
    ends it unless a mark comes after it.
    """
    original = tokens(original_html, marks_gaps=False)
    trim = tokens(trimmed_html, marks_gaps=True)
    leading, runs, trailing = _segments(trim)
    if not runs:
        return "Enter the words to quote, not only gap marks (…)"
    known = _Words(original)
    for run in runs:
        for token in run:
            problem = known.problem(token)
            if problem:
                return problem
    finder = _Finder(original)
    total = len(original)
    end = 0  # where the previous run ended
    previous: list[Token] | None = None
    for index, run in enumerate(runs):
        lowest = end + 1 if previous is not None or leading else 0
        found = finder.find(run, lowest)
        if index == len(runs) - 1 and not trailing:
            start = total - len(run)
            if (start >= lowest and finder.find(run, start) == start
                    and (start == 0 or previous is not None or leading)):
                return None
            if found >= 0 and (found == 0 or previous is not None or leading):
                return (f"Words after {_quote(run, tail=True)} were left out: mark the gap "
                        "with … at the end")
        if found < 0:
            if finder.find(run, lowest - 1) == lowest - 1 and lowest > 0:
                where = "the post starts there" if previous is None else "nothing was left out"
                return (f"There is a gap mark (…) before {_quote(run)} but {where}: "
                        "remove it")
            return _order_or_gap_problem(run, finder, lowest, previous)
        if previous is None and not leading and found > 0:
            return (f"Words before {_quote(run)} were left out: mark the gap with … at the "
                    "start")
        end = found + len(run)
        previous = run
    if end == total:
        return (f"There is a gap mark (…) after {_quote(previous or [], tail=True)} but the "
                "post ends there: remove it")
    return None


def _order_or_gap_problem(run: list[Token], finder: _Finder, lowest: int,
                          previous: list[Token] | None) -> str:
    """Explain why ``run`` cannot be placed at or after ``lowest``."""
    # The longest start of the run that can be placed; the trouble is just after it.
    for length in range(len(run) - 1, 0, -1):
        head, rest = run[:length], run[length:]
        start = finder.find(head, lowest)
        if start >= 0:
            if finder.find(rest, start + length + 1) >= 0:
                return (f"Words were left out between {_quote(head, 4, tail=True)} and "
                        f"{_quote(rest, 4)}: mark the gap with …")
            break
    if finder.find(run, 0) >= 0:
        where = f" after {_quote(previous)}" if previous else ""
        return (f"{_quote(run)} comes earlier in the post, not{where}: keep the post’s "
                "order")
    return (f"{_quote(run)} is not in the post in this order: a trim keeps the post’s "
            "order and only leaves words out")

