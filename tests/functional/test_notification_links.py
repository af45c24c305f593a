"""Every notice on the notifications page that has a page of its own links to it: the notices
about no one object (requests to join the network, a copy of someone's data, a request for an
organisation) lead to the page where the reader acts, as their emails do."""

from __future__ import annotations

import pytest

from forum.extensions import db
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import utcnow


@pytest.mark.parametrize(("kind", "destination"), [
    (NotificationKind.NETWORK_REQUEST, "/network/requests"),
    (NotificationKind.ORGANISATION_REQUEST, "/admin/organisations"),
    (NotificationKind.DATA_READY, "/account/data"),
    (NotificationKind.DATA_COPY_READY, "/admin/users/{member}#data-copy"),
])
def test_a_notice_about_no_one_object_links_to_where_it_is_dealt_with(
        app, world, client, kind, destination):
    with app.app_context():
        notice = Notification(user_id=world.admin.id, kind=kind, actor_id=world.member.id,
                              text="Something waits for you.", created_at=utcnow())
        db.session.add(notice)
        db.session.commit()
        notice_id = notice.id
    client.sign_in_as(world.admin)

    page = client.get("/notifications").get_data(as_text=True)
    assert f'href="/notifications/{notice_id}">Something waits for you.</a>' in page
    assert client.get(f"/notifications/{notice_id}").headers["Location"] == \
        destination.format(member=world.member.id)
