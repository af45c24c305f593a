"""Page links are drawn once per list, page and address, then reused (forum.pagination): the
links a reader gets are always those drawn for their page, never another list's or page's."""

from __future__ import annotations

import pytest

from forum import pagination

PAGER = ('{% from "main/_pagination.html" import pagination %}'
         '{{ pagination(page, pages, endpoint, url_values, label="Pages of results") }}')
DRAWN = ('{% from "main/_pagination.html" import draw_pagination %}'
         '{{ draw_pagination(page, pages, endpoint, url_values, "Pages of results") }}')


def _render(app, source: str, **values) -> str:
    with app.test_request_context("/"):
        return app.jinja_env.from_string(source).render(**values)


@pytest.mark.parametrize("pages", [2, 5, 9, 200])
def test_kept_links_are_the_links_drawn_for_that_page(app, pages):
    for page in sorted({1, 2, 4, pages // 2, pages - 1, pages} & set(range(1, pages + 1))):
        values = {"page": page, "pages": pages, "endpoint": "search.results",
                  "url_values": {"q": "assembly"}}
        first = _render(app, PAGER, **values)  # drawn
        again = _render(app, PAGER, **values)  # kept
        assert first == again == _render(app, DRAWN, **values)
        assert f'href="/search?page={page}&amp;q=assembly"' in first
        assert 'aria-current="page"' in first


def test_another_list_or_page_is_never_given_kept_links(app):
    base = {"pages": 30, "endpoint": "search.results"}
    first = _render(app, PAGER, page=3, url_values={"q": "budget"}, **base)
    other_words = _render(app, PAGER, page=3, url_values={"q": "jury"}, **base)
    other_page = _render(app, PAGER, page=4, url_values={"q": "budget"}, **base)
    fewer_pages = _render(app, PAGER, page=3, url_values={"q": "budget"}, pages=12,
                          endpoint="search.results")
    assert "q=jury" in other_words and "q=budget" not in other_words
    assert first != other_page and "page=5" in other_page
    assert "page=12" in fewer_pages and "page=30" not in fewer_pages
    assert "page=30" in first


def test_a_single_page_has_no_links(app):
    assert _render(app, PAGER, page=1, pages=1, endpoint="search.results",
                   url_values={}).strip() == ""


def test_the_kept_links_are_bounded(app, monkeypatch):
    monkeypatch.setattr(pagination, "KEPT_PAGERS", 5)
    for words in range(20):
        _render(app, PAGER, page=1, pages=3, endpoint="search.results",
                url_values={"q": f"word{words}"})
    assert len(app.extensions["kept_pagers"]) == 5
