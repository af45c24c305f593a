from forum.text import excerpt
from forum.text import render_markdown


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
