"""What a notification about a post says, by what happened and what kind of post it is.

The one place that turns (moment, post kind) into words: the sentence stored on the
notification (shown in the list, the email body and the daily digest) and the email subject.
In an action-learning set a question asked in your challenge is not "a reply to your post", so
each kind of challenge post (:class:`forum.models.PostKind`) has its own wording; posts in
ordinary threads (no kind) keep the plain wording. Only the thread's title and people's names
go into the words, never a post's text (which may not be approved).
"""

from __future__ import annotations

import enum

from forum.models import Post
from forum.models import PostKind

FORMER_MEMBER = "A former member"


class Moment(enum.StrEnum):
    """What happened to a post, as the person told about it sees it."""

    APPROVED = "approved"              # a moderator approved your post
    SENT_BACK = "sent_back"            # ... sent it back
    EDITED = "edited"                  # ... edited it
    EDIT_APPROVED = "edit_approved"    # ... approved your edit of it
    EDIT_SENT_BACK = "edit_sent_back"  # ... sent your edit back
    REPLY = "reply"                    # someone posted in reply to your post
    NEW_POST = "new_post"              # someone posted in a thread you follow
    MENTION = "mention"                # someone mentioned you in a post


# What someone did by writing a post of each kind ("Gareth asked a question").
_DEEDS: dict[PostKind, str] = {
    PostKind.CHALLENGE: "brought a challenge",
    PostKind.QUESTION: "asked a question",
    PostKind.REFLECTION: "added a reflection",
    PostKind.ACTION: "committed to an action",
    PostKind.UPDATE: "reported back on an action",
    PostKind.LEARNING: "shared a learning",
    PostKind.SUGGESTION: "made a suggestion",
    PostKind.SUMMARY: "wrote a closing summary",
}


def _kind(post: Post | None) -> PostKind | None:
    if post is None or post.kind is None:
        return None
    try:
        return PostKind(post.kind)
    except ValueError:  # a kind this version does not know: the plain wording
        return None


def _a(kind: PostKind) -> str:
    return "an" if kind.label[0].lower() in "aeiou" else "a"


def _title(post: Post | None) -> str:
    thread = post.thread if post is not None else None
    return f"“{thread.title}”" if thread is not None else "a thread"


def noun_phrase(post: Post | None) -> str:
    """The post named by its kind: "challenge “T”", "question in “T”", "post in “T”"."""
    kind, title = _kind(post), _title(post)
    if kind is None:
        return f"post in {title}"
    if kind is PostKind.CHALLENGE:
        return f"challenge {title}"
    if kind is PostKind.SUMMARY:
        return f"closing summary of {title}"
    return f"{kind.label.lower()} in {title}"


def _where(post: Post | None, parent: Post | None) -> str:
    """Where a reply was written, as its parent's author reads it."""
    parent_kind = _kind(parent)
    if parent_kind is PostKind.CHALLENGE:
        return f"in your challenge {_title(post)}"
    return f"in reply to your {noun_phrase(parent)}"


# A moderator's decision on your post: (the sentence, the email's subject); {what} is the post
# named by its kind (:func:`noun_phrase`).
_DECISIONS: dict[Moment, tuple[str, str]] = {
    Moment.APPROVED: ("{actor} approved your {what}", "Your {what} was approved"),
    Moment.SENT_BACK: ("{actor} sent back your {what}", "Your {what} was sent back"),
    Moment.EDITED: ("{actor} edited your {what}", "A moderator edited your {what}"),
    Moment.EDIT_APPROVED: ("{actor} approved your edit of your {what}",
                           "Your edit of your {what} was approved"),
    Moment.EDIT_SENT_BACK: ("{actor} sent back your edit of your {what}",
                            "Your edit of your {what} was sent back"),
}


def _clause(moment: Moment, post: Post | None, actor: str) -> str:
    """The sentence without its full stop: the subject of an email, the start of the text."""
    kind = _kind(post)
    title = _title(post)
    if moment in _DECISIONS:
        return _DECISIONS[moment][0].format(actor=actor, what=noun_phrase(post))
    if moment is Moment.REPLY:
        if kind is None:
            return f"{actor} replied to your post in {title}"
        return f"{actor} {_DEEDS[kind]} {_where(post, post.parent if post else None)}"
    if moment is Moment.NEW_POST:
        if kind is None:
            return f"{actor} posted in {title}"
        return f"{actor} {_DEEDS[kind]} in {title}"
    # Moment.MENTION
    if kind is None:
        return f"{actor} mentioned you in {title}"
    if kind is PostKind.CHALLENGE:
        return f"{actor} mentioned you in the challenge {title}"
    return f"{actor} mentioned you in {_a(kind)} {noun_phrase(post)}"


_AFTERWORDS: dict[Moment, str] = {
    Moment.SENT_BACK: " You can edit it and send it again.",
    Moment.EDIT_SENT_BACK: " It keeps its approved text; your proposed text is kept with its "
                           "earlier versions.",
}


def sentence(moment: Moment, post: Post, actor: str | None) -> str:
    """The text stored on a notification about ``post`` (names and the title only)."""
    text = _clause(moment, post, actor or FORMER_MEMBER) + "."
    if moment is Moment.NEW_POST:
        thread = "a challenge" if _kind(post) is not None else "a thread"
        text = text[:-1] + f", {thread} you follow."
    return text + _AFTERWORDS.get(moment, "")


def subject(moment: Moment, post: Post | None, actor: str | None) -> str:
    """The subject of the email about ``post``."""
    if moment in _DECISIONS:
        return _DECISIONS[moment][1].format(what=noun_phrase(post))
    return _clause(moment, post, actor or FORMER_MEMBER)


def waiting_sentence(post: Post, state: str) -> str:
    """For moderators: the post that waits (or waited), by kind, and ``state``
    ("is waiting for approval in Set", "was approved by Mia")."""
    author = post.author.display_name if post.author is not None else FORMER_MEMBER
    kind, title = _kind(post), _title(post)
    if kind is None:
        what = "A new thread" if post.is_opening_post else "A reply"
        return f"{what} by {author} in {title} {state}."
    article = "A new" if kind is PostKind.CHALLENGE else _a(kind).capitalize()
    return f"{article} {noun_phrase(post)} by {author} {state}."
