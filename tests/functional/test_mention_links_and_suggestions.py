"""A mention of a member links to their entry on the set's People page (unknown handles stay
text, nothing in a handle can add markup); the post box's @ suggestions list only the set's
members, only for those who may post there, and never an email address."""

from __future__ import annotations

import pytest

from forum.extensions import db
from forum.mentions import link_mentions
from forum.mentions import mask_mentions
from forum.models import LearningSet
from forum.models import ModerationPolicy
from forum.models import Thread
from forum.models import User
from forum.threads import service as threads
from tests import factories


def _reply(app, world, role: str, body: str) -> int:
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).moderation_policy = \
            ModerationPolicy.AFTER_THE_FACT
        thread = db.session.get(Thread, world.thread.id)
        post = threads.reply_to(db.session, db.session.get(User, world.user(role).id),
                                thread.posts[0], body=body)
        db.session.commit()
        return post.id


def _article(page: str, post_id: int) -> str:
    return page.split(f'id="post-{post_id}"', 1)[1].split("</article>", 1)[0]


def test_a_mention_of_a_member_links_to_their_entry_on_the_people_page(app, client, world):
    post_id = _reply(app, world, "member", "Ask @fran.facilitator, not @nobody.here or "
                                            "@otto.outsider. Mail fran@example.org.")
    client.sign_in_as(world.moderator)
    article = _article(client.get(f"/threads/{world.thread.id}").text, post_id)
    link = (f'<a class="govuk-link forum-mention" href="/sets/comms/members#member-'
            f'{world.facilitator.id}">@fran.facilitator</a>')
    assert link in article
    # Not a member of the set, or no one at all: plain text.
    assert "@nobody.here" in article and "@otto.outsider" in article
    assert article.count("forum-mention") == 1
    people = client.get("/sets/comms/members").text
    assert f'id="member-{world.facilitator.id}"' in people
    assert "@fran.facilitator" in people  # the handle to type without JavaScript


def test_a_disabled_member_is_not_linked(app, client, world):
    post_id = _reply(app, world, "member", "Thanks @fran.facilitator")
    with app.app_context():
        db.session.get(User, world.facilitator.id).is_disabled = True
        db.session.commit()
    client.sign_in_as(world.moderator)
    assert "forum-mention" not in _article(client.get(f"/threads/{world.thread.id}").text,
                                           post_id)


def test_linking_cannot_inject_markup():
    html = '<p>@a.b &lt;script&gt;@a.b<code>@a.b</code></p>'
    linked = link_mentions(html, {"a.b": '/x?"><script>'})
    assert "<script>" not in linked
    assert linked.count('href="/x?&#34;&gt;&lt;script&gt;"') == 2
    assert "<code>@a.b</code>" in linked  # code is shown as written


def test_masking_for_guides_keeps_only_the_named():
    html = "<p>Ask @named.person or @quiet.person (<code>@quiet.person</code>)</p>"
    assert mask_mentions(html, {"named.person"}, "a participant") == (
        "<p>Ask @named.person or a participant (<code>a participant</code>)</p>")


def _suggest(client, prefix: str, slug: str = "comms"):
    return client.get(f"/sets/{slug}/mention-suggestions", query_string={"q": prefix})


def test_suggestions_list_set_members_by_prefix_without_emails(app, client, world):
    client.sign_in_as(world.member)
    answer = _suggest(client, "@m").get_json()
    assert [m["handle"] for m in answer["members"]] == ["mia.moderator"]  # not the asker
    assert "email" not in str(answer) and "@example.org" not in str(answer)
    # A word of the name matches too; the outsider and the admin are not in the set.
    assert [m["handle"] for m in _suggest(client, "fac").get_json()["members"]] == [
        "fran.facilitator"]
    assert _suggest(client, "otto").get_json()["members"] == []
    assert _suggest(client, "").get_json()["members"] == []
    assert _suggest(client, "x" * 10_000).status_code == 200


def test_suggestions_are_at_most_eight(app, client, world):
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        for n in range(12):
            factories.add_member(factories.make_user(display_name=f"Sam Person{n:02}"),
                                 learning_set)
        db.session.commit()
    client.sign_in_as(world.member)
    assert len(_suggest(client, "sam").get_json()["members"]) == 8


@pytest.mark.parametrize(("role", "status"), [("outsider", 404), ("anonymous", 404)])
def test_suggestions_refused_to_those_who_cannot_post(client, world, role, status):
    user = world.user(role)
    if user is not None:
        client.sign_in_as(user)
    assert _suggest(client, "m").status_code == status


def test_post_boxes_know_where_to_ask(client, world):
    client.sign_in_as(world.member)
    page = client.get(f"/threads/{world.thread.id}").text
    assert 'data-mention-source="/sets/comms/mention-suggestions"' in page


def test_a_guide_names_only_those_who_agreed_to_be_credited_by_name(app, world):
    from forum.guides import compile as compiler
    from forum.guides import service as guides
    from forum.models import CreditPreference

    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        db.session.get(User, world.member.id).credit_preference = \
            CreditPreference.NAME_AND_ORGANISATION
        db.session.get(User, world.moderator.id).credit_preference = CreditPreference.ANONYMOUS
        db.session.get(User, world.facilitator.id).credit_preference = \
            CreditPreference.ORGANISATION
        author = db.session.get(User, world.member.id)
        thread = factories.make_thread(learning_set, author, title="Who helped",
                                       body="Thanks @mo.member, @mia.moderator and "
                                            "`@fran.facilitator`.")
        guide = guides.create_guide(db.session, learning_set=learning_set,
                                    creator=db.session.get(User, world.facilitator.id),
                                    title="Help", thread_ids=[thread.id])
        section = guides.add_section(db.session, guide, title="People")
        guides.add_excerpt(db.session, section, thread.posts[0])
        db.session.flush()
        with app.test_request_context():
            document = compiler.compile_guide(guide)
        body = document.sections[0].excerpts[0].body_html
        assert "@mo.member" in body
        assert "mia" not in body and "fran" not in body
        assert body.count("a participant") == 2
        db.session.rollback()
