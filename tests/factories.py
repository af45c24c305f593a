"""Model factories for tests: small functions that build valid objects with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

from werkzeug.security import generate_password_hash

from forum.extensions import db
from forum.models import Action
from forum.models import ActionState
from forum.models import ActionUpdate
from forum.models import Challenge
from forum.models import LearningSet
from forum.models import Membership
from forum.models import Post
from forum.models import PostKind
from forum.models import PostStatus
from forum.models import Role
from forum.models import Thread
from forum.models import UpdateOutcome
from forum.models import User
from forum.models import Visibility
from forum.models import utcnow
from forum.text import render_markdown

if TYPE_CHECKING:
    from flask import Flask

    from tests.conftest import World

DEFAULT_PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


@cache
def _default_password_hash() -> str:
    # Hashing is deliberately slow; hash the shared test password once per run.
    return generate_password_hash(DEFAULT_PASSWORD)


def make_user(email: str | None = None, *, display_name: str | None = None,
              organisation: str = "Testshire County Council", is_admin: bool = False,
              password: str | None = None, **fields) -> User:
    n = next(_seq)
    user = User(
        email=email or f"user{n}@example.org",
        display_name=display_name or f"Test User {n}",
        organisation=organisation,
        is_admin=is_admin,
        password_hash=(generate_password_hash(password) if password
                       else _default_password_hash()),
        **fields,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_set(slug: str | None = None, *, name: str | None = None,
             visibility: Visibility = Visibility.PRIVATE, purpose: str = "",
             facilitator: User | None = None) -> LearningSet:
    n = next(_seq)
    learning_set = LearningSet(
        slug=slug or f"set-{n}", name=name or f"Learning set {n}",
        purpose=purpose or "A set for testing.", visibility=visibility)
    db.session.add(learning_set)
    db.session.flush()
    if facilitator is not None:
        add_member(facilitator, learning_set, Role.FACILITATOR)
    return learning_set


def add_member(user: User, learning_set: LearningSet, role: Role = Role.MEMBER) -> Membership:
    membership = Membership(user_id=user.id, learning_set_id=learning_set.id, role=role)
    db.session.add(membership)
    db.session.flush()
    return membership


def make_thread(learning_set: LearningSet, author: User, *, title: str | None = None,
                body: str = "Opening post.") -> Thread:
    now = utcnow()
    thread = Thread(learning_set_id=learning_set.id, author_id=author.id,
                    title=title or f"Thread {next(_seq)}", created_at=now, last_activity_at=now)
    db.session.add(thread)
    db.session.flush()
    make_post(thread, author, body=body)
    return thread


def make_post(thread: Thread, author: User, *, parent: Post | None = None,
              body: str = "A reply.", status: PostStatus = PostStatus.APPROVED) -> Post:
    post = Post(thread_id=thread.id, author_id=author.id,
                parent_id=parent.id if parent else None,
                depth=(parent.depth + 1) if parent else 0,
                body_source=body, body_html=render_markdown(body), status=status)
    db.session.add(post)
    db.session.flush()
    return post


# The bodies of a branch's posts, by depth (a branch's head first).
BRANCH_WORDS = ("Branch", "Answer", "Deep")


def make_branching_thread(learning_set: LearningSet, author: User, *, branches: int = 12,
                          depth: int = 2, title: str = "A long thread"
                          ) -> tuple[Thread, list[list[int]]]:
    """A thread whose opening post has ``branches`` replies, each answered by a chain of
    ``depth - 1`` more (bodies "Branch n", "Answer n", "Deep n"), and the ids of each branch's
    posts, head first."""
    thread = make_thread(learning_set, author, title=title)
    opening = thread.posts[0]
    ids = []
    for n in range(branches):
        parent, chain = opening, []
        for words in BRANCH_WORDS[:depth]:
            parent = make_post(thread, author, parent=parent, body=f"{words} {n}")
            chain.append(parent.id)
        ids.append(chain)
    return thread, ids


def branching_thread_in(app: Flask, world: World, *, per_page: int, branches: int = 12,
                        depth: int = 2, title: str = "A long thread"
                        ) -> tuple[int, list[list[int]]]:
    """:func:`make_branching_thread` by the world's member in the world's set, committed, with
    ``per_page`` branches a page (``THREAD_BRANCHES_PER_PAGE``): its id and its branches."""
    app.config["THREAD_BRANCHES_PER_PAGE"] = per_page
    with app.app_context():
        thread, ids = make_branching_thread(
            db.session.get(LearningSet, world.learning_set.id),
            db.session.get(User, world.member.id), branches=branches, depth=depth, title=title)
        db.session.commit()
        return thread.id, ids


def propose_edit(post: Post, body: str) -> Post:
    """Give a published post an edit waiting for a moderator (as the threads service does)."""
    post.pending_source = body
    post.pending_html = render_markdown(body)
    post.pending_at = utcnow()
    db.session.flush()
    return post


# --- the action-learning cycle ---------------------------------------------------------

def make_challenge(learning_set: LearningSet, holder: User, *, title: str | None = None,
                   aim: str = "Get councillors to champion the results.") -> Challenge:
    """A challenge thread held by ``holder`` (its opening post, kind "challenge", approved)."""
    thread = make_thread(learning_set, holder, title=title, body="My presenting issue.")
    thread.posts[0].kind = PostKind.CHALLENGE.value
    challenge = Challenge(thread_id=thread.id, learning_set_id=learning_set.id,
                          holder_id=holder.id, aim=aim)
    db.session.add(challenge)
    db.session.flush()
    return challenge


def make_action(challenge: Challenge, due_on: date, *, holder: User | None = None,
                body: str = "I will brief the cabinet member.",
                status: PostStatus = PostStatus.APPROVED,
                state: ActionState = ActionState.OPEN) -> Action:
    """An action post (replying to the challenge's opening post) and its :class:`Action` row."""
    holder = holder or challenge.holder
    opening = challenge.thread.posts[0]
    post = make_post(challenge.thread, holder, parent=opening, body=body, status=status)
    post.kind = PostKind.ACTION.value
    action = Action(post_id=post.id, challenge_id=challenge.id,
                    learning_set_id=challenge.learning_set_id, holder_id=holder.id,
                    due_on=due_on, state=state)
    db.session.add(action)
    db.session.flush()
    return action


def make_update(action: Action, outcome: UpdateOutcome, *, body: str = "It went well.",
                status: PostStatus = PostStatus.APPROVED) -> ActionUpdate:
    """An update post on ``action``; when approved, the action takes its outcome's state."""
    post = make_post(action.post.thread, action.holder, parent=action.post, body=body,
                     status=status)
    post.kind = PostKind.UPDATE.value
    update = ActionUpdate(post_id=post.id, action_id=action.id, outcome=outcome)
    db.session.add(update)
    if status == PostStatus.APPROVED and outcome != UpdateOutcome.NOT_DONE:
        action.state = ActionState(outcome.value)
        action.settled_by_post_id = post.id
    db.session.flush()
    return update
