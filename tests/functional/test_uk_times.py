"""Every time a page shows is on UK clocks, as events and meetings already were: a post written
at 10:00 in June said 09:00 (the stored UTC), an hour off from the event beside it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from forum.extensions import db
from forum.models import Notification
from forum.models import Post
from forum.models import Thread

SUMMER_UTC = datetime(2030, 6, 15, 9, 5)  # 10:05 BST
LATE_SUMMER_UTC = datetime(2030, 6, 30, 23, 30)  # 00:30 BST on 1 July


def test_a_post_and_its_threads_latest_activity_show_uk_summer_time(app, client, world):
    with app.app_context():
        opening = db.session.scalars(select(Post).where(Post.thread_id == world.thread.id)).first()
        opening.created_at = SUMMER_UTC
        db.session.get(Thread, world.thread.id).last_activity_at = SUMMER_UTC
        db.session.commit()
    client.sign_in_as(world.member)
    thread = client.get(f"/threads/{world.thread.id}").get_data(as_text=True)
    assert "15 June 2030 at 10:05" in thread
    assert "15 June 2030 at 09:05" not in thread
    assert 'datetime="2030-06-15T09:05:00Z"' in thread  # the machine-readable time stays UTC
    assert "15 June 2030 at 10:05" in client.get("/sets/comms/").get_data(as_text=True)


def test_notifications_say_uk_time_and_the_day_it_was_in_the_uk(app, client, world):
    with app.app_context():
        db.session.add(Notification(user_id=world.member.id, kind="reply", text="Hello.",
                                    created_at=LATE_SUMMER_UTC))
        db.session.commit()
    client.sign_in_as(world.member)
    page = client.get("/notifications").get_data(as_text=True)
    assert "1 July 2030 at 00:30 (UK time)" in page
    assert "(UTC)" not in page


def test_search_site_pages_data_emails_and_guides_say_the_uk_day_too(app, client, world):
    """The pages and emails that wrote a stored time out themselves (not through the filters)
    said the UTC day: a post at 00:30 BST on 1 July was '30 June' in search results, a site
    page changed then 'Last updated 30 June', a data copy's email '(UTC)', a guide's excerpt
    and version the day before."""
    from types import SimpleNamespace

    from forum.guides.compile import posted_day
    from forum.models import QueuedEmail
    from forum.models import SitePage
    from forum.models import User
    from forum.people import exports

    with app.app_context():
        opening = db.session.scalars(select(Post).where(Post.thread_id == world.thread.id)).first()
        opening.created_at = LATE_SUMMER_UTC
        db.session.add(SitePage(slug="privacy", body_source="Ours.", body_html="<p>Ours.</p>",
                                updated_at=LATE_SUMMER_UTC))
        member = db.session.get(User, world.member.id)
        exports._tell(db.session, member, SimpleNamespace(
            started_at=LATE_SUMMER_UTC, expires_at=LATE_SUMMER_UTC, ready_at=LATE_SUMMER_UTC))
        db.session.commit()
        email = db.session.scalars(select(QueuedEmail).where(
            QueuedEmail.user_id == world.member.id)).one()
        assert "1 July 2030 at 00:30 (UK time)" in email.text_body, email.text_body
        assert "(UTC)" not in email.text_body
        assert posted_day(opening).isoformat() == "2030-07-01"
    client.sign_in_as(world.member)
    results = client.get("/search?q=call").get_data(as_text=True)
    assert ">1 July 2030</time>" in results and "30 June 2030" not in results
    assert "Last updated 1 July 2030" in client.get("/privacy").get_data(as_text=True)


def test_search_by_date_takes_uk_days(app, client, world):
    """'From 1 July' finds a post written at 00:30 BST on 1 July (23:30 UTC on 30 June), and
    'to 30 June' does not: the results call it 1 July."""
    with app.app_context():
        opening = db.session.scalars(select(Post).where(Post.thread_id == world.thread.id)).first()
        opening.created_at = LATE_SUMMER_UTC
        db.session.commit()
    client.sign_in_as(world.member)

    def found(dates: str) -> bool:
        page = client.get(f"/search?q=call&kind=post{dates}").get_data(as_text=True)
        return ">1 July 2030</time>" in page

    assert found("")
    assert found("&from=2030-07-01")
    assert found("&to=2030-07-01")
    assert not found("&to=2030-06-30")
    assert not found("&from=2030-07-02")
