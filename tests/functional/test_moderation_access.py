"""Route-by-role matrix for the moderation routes: 404 to those who cannot see, 403 to viewers."""

from __future__ import annotations

import pytest

from forum.extensions import db
from forum.models import PostStatus
from forum.models import Thread
from tests import factories

ROLES = ["anonymous", "outsider", "member", "moderator", "facilitator", "admin"]

# (method, url template, expected status per role in ROLES order)
MATRIX = [
    ("post", "/moderation/posts/{pending}/approve", [401, 404, 404, 303, 303, 303]),
    ("get", "/moderation/posts/{pending}/reject", [302, 404, 404, 200, 200, 200]),
    ("get", "/moderation/posts/{pending}/edit", [302, 404, 404, 200, 200, 200]),
    ("get", "/moderation/posts/{approved}/hide", [302, 404, 403, 200, 200, 200]),
    ("post", "/moderation/posts/{approved}/dismiss-reports", [401, 404, 403, 303, 303, 303]),
    ("post", "/moderation/threads/{thread}/lock", [401, 404, 403, 303, 303, 303]),
    ("post", "/moderation/approve-selected", [401, 403, 403, 303, 303, 303]),
    ("get", "/posts/{approved}/report", [302, 404, 200, 200, 200, 200]),
    # The POST side of each form, and the pages around the queue.
    ("post", "/moderation/posts/{pending}/reject", [401, 404, 404, 303, 303, 303]),
    ("post", "/moderation/posts/{pending}/edit", [401, 404, 404, 303, 303, 303]),
    ("post", "/moderation/posts/{approved}/hide", [401, 404, 403, 303, 303, 303]),
    ("post", "/moderation/threads/{thread}/unlock", [401, 404, 403, 303, 303, 303]),
    ("post", "/moderation/threads/{thread}/pin", [401, 404, 403, 303, 303, 303]),
    ("post", "/moderation/threads/{thread}/unpin", [401, 404, 403, 303, 303, 303]),
    ("post", "/posts/{approved}/report", [401, 404, 303, 303, 303, 303]),
    ("post", "/posts/{pending}/withdraw", [401, 404, 404, 403, 403, 403]),  # not their post
    ("get", "/moderation/", [302, 403, 403, 200, 200, 200]),
    ("get", "/sets/comms/moderation-log", [302, 404, 403, 200, 200, 200]),
    ("get", "/sets/comms/moderation-policy", [302, 404, 403, 403, 200, 200]),
    ("post", "/sets/comms/moderation-policy", [401, 404, 403, 403, 303, 303]),
]

# What each form needs to be valid, so a refusal is about who asks, not what they sent.
FORM_DATA = {
    "/moderation/approve-selected": lambda ids: {"post_ids": [ids["pending"]]},
    "/moderation/posts/{pending}/reject": lambda ids: {"reason": "Please name the council."},
    "/moderation/posts/{pending}/edit": lambda ids: {"body": "Waiting, tidied.",
                                                     "original": "Waiting."},
    "/moderation/posts/{approved}/hide": lambda ids: {"reason": "Personal details."},
    "/posts/{approved}/report": lambda ids: {"reason": "Personal details."},
    "/sets/comms/moderation-policy": lambda ids: {"policy": "every_post", "threshold": "3"},
}


@pytest.fixture
def ids(app, world):
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        other = factories.make_user()
        factories.add_member(other, thread.learning_set)
        approved = factories.make_post(thread, other, parent=thread.posts[0], body="Fine.")
        pending = factories.make_post(thread, other, parent=thread.posts[0], body="Waiting.",
                                      status=PostStatus.PENDING)
        db.session.commit()
        return {"pending": pending.id, "approved": approved.id, "thread": thread.id}


@pytest.mark.parametrize(("method", "template", "statuses"), MATRIX,
                         ids=[f"{m} {t}" for m, t, _ in MATRIX])
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_moderation_route_answers_each_role_as_expected(
        app, client, world, ids, method, template, statuses, role_index):
    user = world.user(ROLES[role_index])
    if user is not None:
        client.sign_in_as(user)
    url = template.format(**ids)
    data = FORM_DATA[template](ids) if template in FORM_DATA else {}
    response = client.post(url, data=data) if method == "post" else client.get(url)
    assert response.status_code == statuses[role_index]
