"""Moderation and admin pages refused to someone who followed an old link say why and link on.

Their links are shown only to those who may use them, but a bookmark, or a link in an email
(the moderation queue, a post waiting), is still followed after the role has gone: the page
then says who may use it and where to go, not a bare "You cannot do that".
"""

from __future__ import annotations

import html

import pytest

from forum.extensions import db
from forum.models import PostStatus
from forum.models import Thread
from tests import factories

MODERATORS_ONLY = ("Only the set’s moderators and facilitators can moderate its posts and read "
                   "its moderation log.")
TO_THE_SET = ("Go to the set", "/sets/comms/")


def _posts(app, world) -> dict[str, int]:
    """The thread's opening post (approved, by the member) and a reply waiting, by the
    moderator."""
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        opening = thread.posts[0].id
        waiting = factories.make_post(thread, world.moderator, body="Mine, waiting.",
                                      status=PostStatus.PENDING).id
        db.session.commit()
    return {"opening": opening, "waiting": waiting}


@pytest.mark.parametrize(("who", "url", "reason", "way_on"), [
    ("member", "/moderation/", "The moderation queue is for the moderators and facilitators "
     "of sets. You do not moderate a set now", ("See the sets", "/sets/")),
    ("member", "/moderation/posts/{opening}/hide", MODERATORS_ONLY, TO_THE_SET),
    ("member", "/moderation/posts/{opening}/reject", MODERATORS_ONLY, TO_THE_SET),
    ("member", "/sets/comms/moderation-log", MODERATORS_ONLY, TO_THE_SET),
    ("moderator", "/moderation/posts/{waiting}/reject",
     "You wrote this post, so another moderator of the set decides on it.",
     ("See the post", "/threads/{thread}?post={waiting}#post-{waiting}")),
    ("moderator", "/sets/comms/moderation-policy",
     "Only the set’s facilitators can change how its posts are moderated.", TO_THE_SET),
    ("member", "/admin/", "These pages are for the site’s admins. If you were one, your role "
     "may have changed.", None),
    ("member", "/admin/organisations", "Only admins and network coordinators keep the list of "
     "member organisations.", ("See the network’s organisations", "/network/organisations")),
    ("member", "/network/requests", "Only admins and network coordinators decide requests to "
     "join the network.", ("About the network", "/network/")),
])
def test_a_page_refused_after_losing_a_role_says_why_and_links_on(
        app, client, world, who, url, reason, way_on):
    ids = {**_posts(app, world), "thread": world.thread.id}
    client.sign_in_as(getattr(world, who))
    response = client.get(url.format(**ids))
    assert response.status_code == 403
    page = html.unescape(response.text)
    assert reason in page
    assert "Your account does not allow that action" not in page
    if way_on is not None:
        text, href = way_on
        assert f'href="{href.format(**ids)}">{text}</a>' in page
