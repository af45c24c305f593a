"""Each post's article on the thread page, rendered once and reused (an in-process LRU cache).

Rendering a post (its macro, the GOV.UK tags, the escaping) was most of a thread page's time.
A post's article depends only on the post, its author and parent, the page it is on, and what
the viewer may do with it; so the article is kept under a key made of *all* of those values,
and served again to any viewer for whom every one of them is the same.

- **Capabilities, not people:** the key holds the viewer's display of the post (full text, a
  "hidden" placeholder), whether they see its waiting edit, their links and buttons
  (:class:`forum.permissions.PostControls`) and which of its files they may open, never who
  they are. Two members with the same capabilities share one article; a moderator's article
  (with a waiting post's text and its buttons) has another key than a reader's, so a reader
  can never be served it. What a viewer may see is still decided on every request by
  :mod:`forum.permissions` (:func:`forum.threads.service.thread_view`); only the markup is
  reused.
- **No invalidation to forget:** the post's version, status, dates, text (its hash and
  length), waiting edit, author's name and organisation, parent's author, and the set's
  mention links are in the key, so any change makes a new key; old articles fall out of the
  LRU. Nothing is written anywhere on a GET.
- **Forms:** a moderator's or author's buttons carry the request's CSRF token; it is stored
  as a mark and the current request's token is put back on the way out.
- Not kept: posts in a challenge (their kind, due dates and outcomes are asked per page) and
  posts whose returned/hidden reason the viewer sees (read from the moderation log).

The page's blank forms (reply, follow) are kept the same way (:func:`kept_block`), under a key
of what they are drawn from; their per-request values (the CSRF token, the reply's one-time
submission key) are put back fresh on the way out.

``POST_FRAGMENT_CACHE_SIZE`` (default 4,000 articles) and ``POST_FRAGMENT_CACHE_BYTES``
(default 4 MiB of kept HTML) bound it per process, whichever is reached first; a size of 0
turns the cache off.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from operator import attrgetter
from operator import itemgetter
from typing import Any

from flask import Flask
from flask import current_app
from flask import g
from flask import request
from flask_login import current_user
from markupsafe import Markup

from forum.permissions import can_view_file

EXTENSION = "forum_post_fragments"
# Where the request's CSRF token was, in a kept article (no token or text contains it).
_CSRF_MARK = "\x00csrf\x00"


class FragmentCache:
    """A thread-safe map from key to rendered HTML, bounded by count and by the memory its
    strings take (``sys.getsizeof``), least recently used out first: a site whose posts are
    long keeps fewer of them rather than a larger worker."""

    def __init__(self, size: int, max_bytes: int | None = None) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[tuple, str] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple) -> str | None:
        with self._lock:
            html = self._items.get(key)
            if html is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return html

    def put(self, key: tuple, html: str) -> None:
        with self._lock:
            replaced = self._items.pop(key, None)
            if replaced is not None:
                self.bytes -= sys.getsizeof(replaced)
            self._items[key] = html
            self.bytes += sys.getsizeof(html)
            while self._items and (len(self._items) > self.size or (
                    self.max_bytes is not None and self.bytes > self.max_bytes)):
                _key, dropped = self._items.popitem(last=False)
                self.bytes -= sys.getsizeof(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self._items)


def init_app(app: Flask) -> None:
    size = int(app.config.get("POST_FRAGMENT_CACHE_SIZE", 0) or 0)
    max_bytes = app.config.get("POST_FRAGMENT_CACHE_BYTES")
    app.extensions[EXTENSION] = (
        FragmentCache(size, int(max_bytes) if max_bytes else None) if size > 0 else None)
    app.jinja_env.globals["post_fragment"] = post_fragment
    app.jinja_env.globals["kept_block"] = kept_block


def cache_of(app: Flask) -> FragmentCache | None:
    return app.extensions.get(EXTENSION)


def _mentions_key(thread: Any) -> tuple:
    """The set's mention links (those :func:`forum.templating.post_body` draws) as part of a
    key, worked out once per request."""
    from forum.templating import mention_links

    links = mention_links(thread.learning_set)
    if not links:
        return ()
    keys: dict[int, tuple] = g.setdefault("_fragment_mentions", {})
    found = keys.get(id(links))
    if found is None:
        found = keys[id(links)] = tuple(sorted(links.items()))
    return found


class _Page:
    """What every article's key and look-up on one page share, worked out once a request."""

    __slots__ = ("cache", "path", "viewer")

    def __init__(self) -> None:
        self.cache = cache_of(current_app)
        self.path = request.path
        self.viewer = current_user._get_current_object()  # type: ignore[attr-defined]


def _page() -> _Page:
    page = g.get("_fragment_page")
    if page is None:
        page = g._fragment_page = _Page()
    return page


# The post's columns an article is drawn from, read in one step from the loaded row.
_POST_VALUES = ("id", "version", "status", "created_at", "edited_at", "pending_at",
                "parent_id", "body_html", "pending_html", "pending_title", "kind")
_read_loaded = itemgetter(*_POST_VALUES)
_read_attributes = attrgetter(*_POST_VALUES)


def _post_values(post: Any) -> tuple:
    """The post's values of :data:`_POST_VALUES`: a page's plain post
    (:class:`forum.threads.page_posts.PagePost`) has them as attributes; an ORM post's are
    read from its loaded state when every one is there (no descriptor per attribute), else
    through its attributes (which load them)."""
    state = getattr(post, "__dict__", None)
    if state is None:
        return _read_attributes(post)
    try:
        return _read_loaded(state)
    except KeyError:
        return _read_attributes(post)


def fragment_key(view: Any, thread: Any, *, heading: str, parent_on_page: bool,
                 is_new: bool, page: _Page | None = None) -> tuple | None:
    """Every value the article of ``view`` depends on, or ``None`` when it is not kept."""
    post = view.post
    controls = view.controls
    (post_id, version, status, created_at, edited_at, pending_at, parent_id, body_html,
     pending_html, pending_title, kind) = _post_values(post)
    if kind or controls.see_reason:
        return None
    page = page or _page()
    author = post.author
    parent = view.parent if view.parent_shown else None
    parent_author = parent.author if parent is not None else None
    files: tuple = ()
    attachments = post.attachments
    if attachments:
        viewer = page.viewer
        files = tuple((file.id, file.original_name, file.file_type, file.size,
                       file.awaiting_approval, can_view_file(viewer, file))
                      for file in attachments)
    body = body_html or ""
    pending = (pending_html or "") if view.pending_edit else None
    return (post_id, version, status, created_at, edited_at, pending_at, parent_id,
            hash(body), len(body),
            None if pending is None else (hash(pending), len(pending), pending_title),
            author.display_name if author is not None else None,
            author.organisation if author is not None else None,
            view.mode, view.level, view.tag, view.pending_edit, view.parent_shown,
            parent.id if parent is not None else None,
            parent_author.display_name if parent_author is not None else None,
            controls, files, heading, parent_on_page, bool(is_new), thread.id,
            # Mentions are links only in a text with an "@" (forum.mentions.link_mentions).
            _mentions_key(thread) if "@" in body or (pending and "@" in pending) else (),
            page.path)


def post_fragment(view: Any, thread: Any, render: Callable[..., str], *, heading: str = "h3",
                  parent_on_page: bool = True, is_new: bool = False,
                  page: dict[str, Any] | None = None) -> Markup:
    """The article of ``view``: kept, or rendered by the ``render`` macro (and kept).
    ``page``: more arguments for ``render`` that every article of the page shares (the
    viewer, the path; a challenge's details), each either in the key already (the path, the
    viewer's capabilities) or only read for articles that are not kept (a challenge's)."""
    shared = page or {}
    page = _page()
    cache = page.cache
    key = None
    if cache is not None:
        key = fragment_key(view, thread, heading=heading, parent_on_page=parent_on_page,
                           is_new=is_new, page=page)
    if key is not None:
        kept = cache.get(key)  # type: ignore[union-attr]
        if kept is not None:
            if _CSRF_MARK in kept:
                from flask_wtf.csrf import generate_csrf

                kept = kept.replace(_CSRF_MARK, generate_csrf())
            return Markup(kept)
    html = str(render(view, thread, heading=heading, parent_on_page=parent_on_page,
                      is_new=is_new, **shared))
    if key is not None:
        token = g.get("csrf_token")
        stored = html.replace(token, _CSRF_MARK) if token and token in html else html
        cache.put(key, stored)  # type: ignore[union-attr]
    return Markup(html)


def _volatile_mark(number: int) -> str:
    return f"\x00fresh{number}\x00"


def kept_block(*key: object, caller: Callable[[], str], fresh: tuple[str, ...] = (),
               keep: bool = True) -> Markup:
    """The markup of a ``{% call kept_block(...) %}`` block, kept under ``key`` (with the
    mount point): for a blank form drawn from the values in ``key`` alone. ``fresh``: values
    of this request in the markup (such as a one-time submission key), stored as marks and
    replaced by this request's values when the block is served again; the CSRF token is one
    without being named. Give each key everything the block shows; ``keep=False`` (a form
    shown again with its errors) draws the block afresh."""
    cache = cache_of(current_app)
    if cache is None or not keep:
        return Markup(caller())
    full_key = ("block", request.script_root, *key)
    kept = cache.get(full_key)
    if kept is not None:
        if _CSRF_MARK in kept:
            from flask_wtf.csrf import generate_csrf

            kept = kept.replace(_CSRF_MARK, generate_csrf())
        for number, value in enumerate(fresh):
            kept = kept.replace(_volatile_mark(number), value)
        return Markup(kept)
    html = str(caller())
    stored = html
    token = g.get("csrf_token")
    if token and token in stored:
        stored = stored.replace(token, _CSRF_MARK)
    for number, value in enumerate(fresh):
        if value:
            stored = stored.replace(value, _volatile_mark(number))
    cache.put(full_key, stored)
    return Markup(html)
