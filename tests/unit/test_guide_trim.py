"""A trim may only leave whole words out, in order, with each gap marked, adding nothing.

Property tests over generated posts: any in-order choice of whole words with every gap marked
is accepted; adding a word, a link or emphasis, reordering, cutting a word or leaving a gap
unmarked is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace

import pytest
from hypothesis import assume
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from forum.guides.service import trimmed_problem

STYLES = ("plain", "bold", "italic", "code", "link")


@dataclass(frozen=True)
class Word:
    text: str
    style: str = "plain"
    punctuation: str = ""

    def markdown(self) -> str:
        text = {"plain": "{}", "bold": "**{}**", "italic": "_{}_", "code": "`{}`",
                "link": "[{}](https://example.org/{})"}[self.style].format(self.text, self.text)
        return text + self.punctuation


# Five-letter words: a proper prefix of one is never another word of the post.
words = st.builds(Word, st.text("abcdefghijklmnopqrstuvwxyz", min_size=5, max_size=5),
                  st.sampled_from(STYLES), st.sampled_from(["", "", "", ",", "."]))
posts = st.lists(words, min_size=1, max_size=30, unique_by=lambda w: w.text)


@st.composite
def trims(draw) -> tuple[list[Word], list[Word | None]]:
    """A post and a valid trim of it: kept words in order, ``None`` marking each gap."""
    post = draw(posts)
    keep = draw(st.lists(st.booleans(), min_size=len(post), max_size=len(post)))
    assume(any(keep))
    trim: list[Word | None] = []
    for word, kept in zip(post, keep, strict=True):
        if kept:
            trim.append(word)
        elif not trim or trim[-1] is not None:
            trim.append(None)
    return post, trim


def _source(post: list[Word]) -> str:
    return " ".join(w.markdown() for w in post)


def _write(trim: list[Word | None], mark: str = "…") -> str:
    return " ".join(mark if w is None else w.markdown() for w in trim)


@settings(max_examples=60, deadline=None)
@given(trims(), st.sampled_from(["…", "...", "[…]"]))
def test_any_in_order_choice_of_whole_words_with_gaps_marked_is_accepted(case, mark):
    post, trim = case
    assert trimmed_problem(_source(post), _write(trim, mark)) is None


@settings(max_examples=60, deadline=None)
@given(trims(), st.data())
def test_adding_a_word_anywhere_is_refused(case, data):
    post, trim = case
    added = Word(data.draw(st.sampled_from(["INJECTED", "council", "never", "12345"])),
                 data.draw(st.sampled_from(STYLES)))
    at = data.draw(st.integers(0, len(trim)))
    assert trimmed_problem(_source(post), _write(trim[:at] + [added] + trim[at:])) is not None


@settings(max_examples=60, deadline=None)
@given(trims(), st.data())
def test_changing_a_words_formatting_is_refused(case, data):
    post, trim = case
    kept = [i for i, w in enumerate(trim) if w is not None]
    at = data.draw(st.sampled_from(kept))
    word = trim[at]
    style = data.draw(st.sampled_from([s for s in STYLES if s != word.style]))
    changed = trim[:at] + [replace(word, style=style)] + trim[at + 1:]
    assert trimmed_problem(_source(post), _write(changed)) is not None


@settings(max_examples=60, deadline=None)
@given(trims(), st.data())
def test_reordering_words_is_refused(case, data):
    post, trim = case
    kept = [i for i, w in enumerate(trim) if w is not None]
    assume(len(kept) >= 2)
    first, second = sorted(data.draw(st.lists(st.sampled_from(kept), min_size=2, max_size=2,
                                              unique=True)))
    swapped = list(trim)
    swapped[first], swapped[second] = swapped[second], swapped[first]
    assert trimmed_problem(_source(post), _write(swapped)) is not None


@settings(max_examples=60, deadline=None)
@given(trims(), st.data())
def test_leaving_a_gap_unmarked_is_refused(case, data):
    post, trim = case
    marks = [i for i, w in enumerate(trim) if w is None]
    assume(marks)
    at = data.draw(st.sampled_from(marks))
    assert trimmed_problem(_source(post), _write(trim[:at] + trim[at + 1:])) is not None


@settings(max_examples=60, deadline=None)
@given(trims(), st.data())
def test_cutting_a_word_is_refused(case, data):
    post, trim = case
    kept = [i for i, w in enumerate(trim) if w is not None]
    at = data.draw(st.sampled_from(kept))
    length = data.draw(st.integers(1, 4))
    cut = replace(trim[at], text=trim[at].text[:length])
    assert trimmed_problem(_source(post), _write(trim[:at] + [cut] + trim[at + 1:])) is not None


POST = ("We wrote to 10,000 households. Then we rang the ones who replied.\n\n"
        "The **council** paid for it.")


@pytest.mark.parametrize(("trim", "says"), [
    ("Then we rang the ones who replied. We wrote to 10,000 households.",
     "not in the post in this order"),
    ("We wrote to 10,000 house …", "cuts a word of the post in two"),
    ("We wrote to 10,000 households. … The **council** paid for it. See the "
     "[council website](https://evil.example/phish).", "“See” is not in the post"),
    ("… The [**council**](https://evil.example/phish) paid for it.", "cannot add links"),
    ("… The *council* paid for it.", "cannot add formatting"),
    ("… The council paid for it.", "keep the post’s formatting"),
    ("We wrote to 10,000 households. The **council** paid for it.",
     "Words were left out between “… to 10,000 households.” and “The council paid for …”"),
    ("We wrote to 10,000 households. …", None),
    ("… we rang … **council** paid …", None),
])
def test_the_refusal_says_what_is_wrong(trim, says):
    problem = trimmed_problem(POST, trim)
    if says is None:
        assert problem is None
    else:
        assert problem is not None and says in problem
