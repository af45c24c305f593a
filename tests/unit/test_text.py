import html
import re
from collections import Counter
from html.parser import HTMLParser

import bleach
import pytest
from flask import render_template_string
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from forum.text import _NEEDS_PARSING
from forum.text import BLOCK_LEVEL_TAGS
from forum.text import MAX_NESTING
from forum.text import excerpt
from forum.text import plain_text
from forum.text import render_markdown
from forum.text import shorten
from forum.text_render import markdown as _markdown


def test_markdown_renders_emphasis_and_lists():
    html = render_markdown("**Bold** and *soft*\n\n- one\n- two")
    assert "<strong>Bold</strong>" in html
    assert "<li>one</li>" in html


def test_script_tags_are_shown_as_text_not_run():
    html = render_markdown("<script>alert('x')</script>")
    assert "<script" not in html
    assert "&lt;script&gt;" in html


def test_javascript_links_lose_their_href():
    html = render_markdown("[click](javascript:alert(1))")
    assert 'href="javascript' not in html


def test_links_get_nofollow_noopener():
    html = render_markdown("[Involve](https://involve.org.uk) and https://example.org/x")
    assert html.count('rel="nofollow noopener"') == 2


def test_headings_sit_below_the_page_heading():
    assert "<h2>Agenda</h2>" in render_markdown("# Agenda")


def test_excerpt_shortens_on_a_word_boundary_and_unescapes():
    text = excerpt(render_markdown("Fish & chips " * 40), length=30)
    assert text.endswith("…")
    assert "&amp;" not in text
    assert len(text) <= 30


# --- nothing written is lost ----------------------------------------------------------------

WORD = re.compile(r"[a-z]+[0-9]+")


class _TextAndLinks(HTMLParser):
    """Everything a reader can see or follow: text, link addresses and link titles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.extend(value for name, value in attrs if name in ("href", "title") and value)


def _shown_words(html: str) -> Counter[str]:
    parser = _TextAndLinks()
    parser.feed(html)
    parser.close()
    return Counter(WORD.findall(" ".join(parser.parts)))


def _fence_labels(source: str) -> Counter[str]:
    """Words of code-fence info strings (```python): a language label, not text for readers."""
    tokens = _markdown.parse(source)
    return Counter(word for token in tokens if token.type == "fence"
                   for word in WORD.findall(token.info))


MARKUP = st.sampled_from([
    " ", " ", "\n", "\n\n", "> ", ">", "- ", "* ", "+ ", "1. ", "2) ", "    ", "  ", "\t",
    "# ", "## ", "|", "| ", "|-|", "\n|-|-|\n", "---", "===", "[", "]", "(", ")", "<", "`",
    "```", "~~~", "~~", "*", "**", "_", "\\", ":", "!", '"', "'", "http://", "https://", ".",
    "@", "/", "-", "![", "](", "]: ", "\n[", ">" * 25 + " ", "\n" + "  " * 25 + "- ",
])
SOURCES = st.lists(st.one_of(st.from_regex(r"[a-z]{1,3}[0-9]{1,2}", fullmatch=True), MARKUP),
                   max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(SOURCES)
def test_every_word_written_is_shown(source):
    expected = Counter(WORD.findall(source)) - _fence_labels(source)
    missing = expected - _shown_words(render_markdown(source))
    assert not missing, render_markdown(source)


def test_a_quotation_nested_500_deep_keeps_its_words():
    html = render_markdown(">" * 500 + " Our assembly chose twelve words")
    assert "Our assembly chose twelve words" in html
    assert html.count("<blockquote>") == MAX_NESTING


def test_a_list_nested_135_deep_shows_every_item():
    source = "".join("  " * level + f"- item{level}\n" for level in range(135))
    assert _shown_words(render_markdown(source)) == Counter(f"item{n}" for n in range(135))


def test_table_cells_beyond_the_header_are_kept_in_the_last_cell():
    html = render_markdown("| a | b |\n|---|---|\n| c | d | e1 | f2 |")
    assert "<td>d | e1 | f2</td>" in html


@pytest.mark.parametrize(("source", "shown"), [
    ("![Our poster](https://example.org/p.png)", '<a href="https://example.org/p.png"'),
    ("[1]: https://example.org/report", "[1]: <a"),
])
def test_images_and_reference_definitions_are_shown_not_dropped(source, shown):
    html = render_markdown(source)
    assert shown in html


# --- excerpts: the HTML parser only for text that needs it (issue 16) ------------------------

_TRICKY = st.lists(st.sampled_from(list("ab <>&;#/!-=\"'x1\r\n\t\x00\x01\x0b\x0c\x1f")
                                   + ["&amp;", "&lt;", "&copy", "<p>", "</p>", "<b", "<!--",
                                      "-->", "<script>", "é", "\u202e"]),
                   max_size=40).map("".join)


_PLAIN = st.text(st.characters(blacklist_characters="<&", blacklist_categories=("Cc", "Cs")),
                 max_size=60)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_PLAIN, _TRICKY))
def test_text_without_markup_comes_back_as_it_was_and_as_bleach_gave_it(value):
    """The shortcut for text with no markup, entity or control character (a set's purpose)
    changes nothing, as bleach's strip changed nothing; anything else goes to the parser."""
    import bleach

    if _NEEDS_PARSING.search(value) is None:
        assert plain_text(value) == value
        assert value == html.unescape(bleach.clean(value, tags=set(), strip=True))


def test_the_block_level_tags_are_bleachs():
    """Where plain_text breaks the line is where bleach's strip did."""
    from bleach.html5lib_shim import HTML_TAGS_BLOCK_LEVEL

    assert BLOCK_LEVEL_TAGS == HTML_TAGS_BLOCK_LEVEL


@pytest.mark.parametrize("purpose, shown", [
    ("Tom & Jerry <3 <script>alert(1)</script>", "Tom &amp; Jerry &lt;3 alert(1)"),
    ("&lt;b&gt;bold&lt;/b&gt; as typed", "&lt;b&gt;bold&lt;/b&gt; as typed"),
    ("Plain words about ward meetings", "Plain words about ward meetings"),
])
def test_an_excerpt_on_a_page_is_escaped_text(app, purpose, shown):
    """Whichever way the tags are stripped, the page shows text, never markup."""
    with app.app_context():
        page = render_template_string("<p>{{ purpose|excerpt(200) }}</p>", purpose=purpose)
    assert page == f"<p>{shown}</p>"
def _bleach_text(markup: str) -> str:
    """What plain_text gave when it was bleach's stripping (and the reference it must match)."""
    return html.unescape(bleach.clean(markup, tags=set(), strip=True))


PLAIN_TEXT_MARKUP = st.sampled_from([
    "\n\n", "\n", "\r\n", " ", "**", "*", "_", "`", "```\n", "# ", "## ", "> ", "- ", "1. ",
    "---\n", "| a | b |\n|---|---|\n| c | d |\n", "[link](https://example.org/a?b=1&c=2)",
    "https://example.org/x", "<b>", "</p>", "<!-- note -->", "<script>x</script>", "&", "&amp;",
    "&lt;", "&copy", "&nbsp;", "&#169;", "<", ">", "\"", "'", "é", "\u202e", "\t",
])
PLAIN_TEXT_SOURCES = st.lists(
    st.one_of(st.from_regex(r"[A-Za-z]{1,4}[0-9]?", fullmatch=True), PLAIN_TEXT_MARKUP),
    max_size=40).map("".join)


@given(PLAIN_TEXT_SOURCES)
@settings(max_examples=300, deadline=None)
def test_plain_text_of_a_post_is_what_bleach_stripping_gave(source):
    # Emails, calendar files, search entries and the moderation queue's excerpts read a
    # post's text through plain_text: its faster parser must give them the same text.
    html = render_markdown(source)
    assert plain_text(html) == _bleach_text(html)


def test_plain_text_breaks_the_line_between_blocks_as_bleach_did():
    html = render_markdown("First point.\n\n- one\n- two\n\nLast & least")
    assert plain_text(html) == _bleach_text(html)
    assert plain_text(html).split("\n") == ["First point.", "", "", "", "one", "", "two",
                                            "", "", "Last & least", ""]
    assert excerpt(html) == "First point. one two Last & least"


@pytest.mark.parametrize("value, text", [
    ("a <![1] b", "a <![1] b"),        # not a marked section: the standard parser raised
    ("<![CDATA[x]]>y", "y"),            # a bogus comment to HTML, as bleach read it
    ("a<![ x>b", "ab"),
])
def test_plain_text_reads_any_markup_without_failing(value, text):
    assert plain_text(value) == text


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(list("<![]>!?/-&#;x1 \"'")), max_size=30))
def test_plain_text_never_raises(value):
    assert isinstance(plain_text(value), str)


def test_a_plain_text_excerpt_keeps_every_character():
    """A set's purpose is plain text: the list of sets shows what its page shows."""
    assert shorten("Compare x<y and z>w  <script>s</script>\n&amp;") == \
        "Compare x<y and z>w <script>s</script> &amp;"


@pytest.mark.parametrize("source", [
    "[the plan](ftp://files.example.org/plan.pdf)",
    "a0[a0](a0http://a02)",              # found by test_every_word_written_is_shown
    "[chat](irc://irc.example.org/assemblies)",
])
def test_a_link_whose_target_the_cleaner_would_drop_is_shown_as_written(source):
    # Before, Markdown made the link and bleach then dropped its target: '<a>the plan</a>'.
    assert plain_text(render_markdown(source)).strip() == source


def test_links_the_cleaner_keeps_are_still_links():
    html = render_markdown("[a](https://example.org/a) [b](mailto:b@example.org) [c](/sets/)")
    assert html.count("<a href=") == 3
