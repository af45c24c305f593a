"""Jinja set-up: GOV.UK Frontend macros, permission predicates and filters for templates."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from datetime import date
from datetime import datetime
from typing import Any

from flask import Flask
from flask import current_app
from flask import g
from flask import request
from flask import url_for
from flask_login import current_user
from govuk_frontend_wtf.gov_form_base import GovFormBase
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader
from jinja2 import PackageLoader
from jinja2 import PrefixLoader
from jinja2 import Template
from markupsafe import Markup
from markupsafe import escape

from forum import permissions
from forum.actions.states import ActionStatus
from forum.actions.states import action_status
from forum.actions.states import uk_today
from forum.extensions import db
from forum.mentions import handle_of
from forum.mentions import link_mentions
from forum.mentions import members_by_handle
from forum.models import ANONYMOUS_CREDIT
from forum.models import Action
from forum.models import LearningSet
from forum.models import Post
from forum.pagination import kept_pagination
from forum.text import excerpt
from forum.text import safe_html
from forum.text import shorten
from forum.times import to_local


def _date(value: date | datetime | None) -> str:
    """A day as UK readers say it; a stored (naive UTC) moment is read on UK clocks first."""
    if isinstance(value, datetime):
        value = to_local(value)
    return value.strftime("%-d %B %Y") if value else ""


def _datetime(value: datetime | None) -> str:
    """A stored (naive UTC) moment on UK clocks, as events and meetings show theirs: a post
    written at 10:00 in June said 09:00 here while its event said 10:00."""
    return to_local(value).strftime("%-d %B %Y at %H:%M") if value else ""


def isolate(value: object) -> Markup:
    """User text (a name, a title) in ``<bdi>``: its direction cannot reorder the text around it."""
    return Markup("<bdi>%s</bdi>") % value


def mention_links(learning_set: LearningSet) -> dict[str, str]:
    """Each handle of the set's active members, to their entry on the set's People page: one
    query per set and request, however many posts the page shows. No links for a viewer the
    People page refuses (:func:`forum.permissions.can_view_members`): a link would tell them
    who is a member."""
    cache: dict[int, dict[str, str]] = g.setdefault("_mention_links", {})
    links = cache.get(learning_set.id)
    if links is None and not permissions.can_view_members(current_user, learning_set):
        links = cache[learning_set.id] = {}
    if links is None:
        head, _, tail = url_for("sets.members", slug=learning_set.slug,
                                _anchor=f"member-{_MARK}").partition(_MARK)
        links = cache[learning_set.id] = {
            handle: f"{head}{member.id}{tail}"
            for handle, member in members_by_handle(db.session, learning_set.id).items()}
    return links


def set_html(html: str, learning_set: LearningSet) -> Markup:
    """Sanitised HTML written in ``learning_set`` (a post, its waiting edit, an earlier
    version, a preview), each @mention of a member of the set made a link."""
    if "@" not in html:
        return safe_html(html)
    return safe_html(link_mentions(html, mention_links(learning_set)))


def action_status_today(action: Action) -> ActionStatus:
    """Where ``action`` stands today on UK clocks, as the Actions page and home page say it."""
    return action_status(action.state, action.due_on, uk_today())


def post_body(post: Post, html: str | None = None) -> Markup:
    """How every page shows a post's words: its published HTML (or ``html``: its waiting edit,
    an earlier version, a quoted part), with the mentions of its set's members as links."""
    return set_html(str(post.body_html if html is None else html), post.thread.learning_set)


class ForumTemplate(Template):
    """Jinja's template, with a cheaper check when another template imports it.

    At every ``{% from ... import %}`` Jinja takes the importing template's global names
    away from the imported one's (a set minus a ChainMap's keys: a Python-level look-up per
    name, about 40 names, some 20 imports a thread page). Every name of the environment's
    globals is among any template's globals, so when all the importing template's names are
    there (always, here: no template is given globals of its own) the answer is known, and
    the same cached module is returned as Jinja would."""

    def _get_default_module(self, ctx: Any = None) -> Any:
        if ctx is not None and not ctx.globals_keys.difference(self.environment.globals):
            ctx = None
        return super()._get_default_module(ctx)


def init_app(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader([
        app.jinja_loader,
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.template_class = ForumTemplate
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    _keep_widgets()
    app.jinja_env.globals["can"] = permissions
    app.jinja_env.globals["anonymous_credit"] = ANONYMOUS_CREDIT
    app.jinja_env.globals["organisation_names"] = _organisation_names
    app.jinja_env.globals["post_href"] = post_href
    app.jinja_env.globals["thread_href"] = thread_href
    app.jinja_env.globals["thread_post_href"] = thread_post_href
    app.jinja_env.globals["thread_href_parts"] = thread_href_parts
    app.jinja_env.globals["fixed_url"] = fixed_url
    app.jinja_env.globals["kept_pagination"] = kept_pagination
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["datetime"] = _datetime
    app.jinja_env.filters["safe_post_html"] = safe_html
    app.jinja_env.filters["excerpt"] = excerpt
    app.jinja_env.filters["shorten"] = shorten
    app.jinja_env.filters["bdi"] = isolate
    app.jinja_env.filters["handle"] = handle_of
    app.jinja_env.globals["post_body"] = post_body
    app.jinja_env.globals["action_status_today"] = action_status_today


# A post id no real post has, to find where the id goes in an endpoint's address.
_MARK = "987654321987"


def post_href(endpoint: str, post_id: int, **query: str | int) -> str:
    """``url_for(endpoint, post_id=post_id, **query)``, for the many links of a page of posts:
    the address is built once per endpoint, query and request (``url_for`` walks the URL map
    every time), then each post's id is put in."""
    return _id_href(endpoint, "post_id", post_id, query)


def thread_href(thread_id: int) -> str:
    """``url_for("threads.show", thread_id=thread_id)`` for a page listing many threads."""
    return _id_href("threads.show", "thread_id", thread_id, {})


def thread_post_href(thread_id: int, post_id: int) -> str:
    """``url_for("threads.show", thread_id=thread_id, post=post_id, _anchor=f"post-{post_id}")``
    (the page of the thread that shows the post, at the post) for a page listing many
    threads."""
    return f"{thread_href(thread_id)}?post={int(post_id)}#post-{int(post_id)}"


def thread_href_parts() -> tuple[Markup, Markup]:
    """A thread's address as (head, tail) around its id, ``head + str(thread_id) + tail``
    being ``thread_href(thread_id)``: for a page that lists many threads, whose rows then
    build their links without a call each. Both are escaped for HTML already."""
    head, _, tail = thread_href(int(_MARK)).partition(_MARK)
    return escape(head), escape(tail)


FIXED_URLS_KEPT = 256


def fixed_url(endpoint: str, **values: str) -> str:
    """``url_for(endpoint, **values)`` for the layout's links, the same on every page (the
    header's and footer's links, the versioned addresses of the style sheets and script):
    built once per app and mount point (``request.script_root``) and kept, since ``url_for``
    walks the URL map every time. Not for addresses that hold anything of the request's or
    the viewer's."""
    kept: dict[tuple, str] = current_app.extensions.setdefault("forum_fixed_urls", {})
    key = (request.script_root, endpoint, tuple(sorted(values.items())))
    url = kept.get(key)
    if url is None:
        if len(kept) >= FIXED_URLS_KEPT:
            kept.clear()
        url = kept[key] = url_for(endpoint, **values)
    return url


def _id_href(endpoint: str, name: str, value: int, query: dict[str, str | int]) -> str:
    cache: dict[tuple, tuple[str, str]] = g.setdefault("_post_hrefs", {})
    key = (endpoint, name, tuple(sorted(query.items())))
    parts = cache.get(key)
    if parts is None:
        head, _, tail = url_for(endpoint, **{name: int(_MARK)}, **query).partition(_MARK)
        parts = cache[key] = (head, tail)
    return f"{parts[0]}{int(value)}{parts[1]}"


def _organisation_names() -> list[str]:
    """The names on the network's list of organisations, for the organisation field's
    suggestions (a ``datalist``: the browser's own type-ahead, no script needed)."""
    from forum import organisations
    from forum.extensions import db

    return [record.name for record in organisations.all_organisations(db.session)]


# --- GOV.UK form widgets: rendered once per set of parameters --------------------------

# The widget templates of govuk-frontend-wtf draw a field from its parameters alone (id,
# name, label, hint, value, error, items): the same parameters give the same markup. Flask's
# render_template (context processors, signals) and the GOV.UK macro ran again for every field
# of every page; a thread page's reply and follow forms cost more than its 50 posts.
_WIDGET_CACHE_SIZE = 512
# A parameter set longer than this holds someone's text (a form shown again): not kept.
_WIDGET_KEY_MAX = 4000
_widgets: OrderedDict[tuple[str, str], Markup] = OrderedDict()
_widgets_lock = threading.Lock()


def _plain(value: object) -> bool:
    """Plain data only: no Markup (the same characters as Markup or as text draw differently,
    which the parameters' JSON would not tell apart)."""
    if isinstance(value, Markup):
        return False
    if isinstance(value, dict):
        return all(_plain(item) for item in value.values())
    if isinstance(value, list | tuple):
        return all(_plain(item) for item in value)
    return True


def _render_widget(widget: GovFormBase, params: dict[str, Any]) -> Markup:
    """``GovFormBase.render``: the widget's template drawn from ``params``, kept per process."""
    key: tuple[str, str] | None = None
    if _plain(params):
        try:
            key = (widget.template, json.dumps(params, sort_keys=True))
        except TypeError:  # a parameter that is not plain data: draw it every time
            key = None
    if key is not None and len(key[1]) <= _WIDGET_KEY_MAX:
        html = _widgets.get(key)
        if html is not None:
            return html
    else:
        key = None
    html = Markup(current_app.jinja_env.get_template(widget.template).render(params=params))
    if key is not None:
        with _widgets_lock:
            _widgets[key] = html
            while len(_widgets) > _WIDGET_CACHE_SIZE:
                _widgets.popitem(last=False)
    return html


def _keep_widgets() -> None:
    GovFormBase.render = _render_widget  # type: ignore[method-assign]
