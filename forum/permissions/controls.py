"""What a viewer may do with each post of a page, worked out once per page.

The thread page shows links and buttons beside every post. Asking each predicate from the
template costs a macro call and a proxy look-up per question per post; here the same
predicates (their one home is :mod:`forum.permissions.posts` and
:mod:`forum.permissions.moderation`) are asked once per post in Python, with the viewer
resolved once and the thread-wide answers (may reply here? moderates the set?) asked once per
page. Anonymous readers get :data:`NO_CONTROLS` without asking anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from forum.models import Post
from forum.models import Thread
from forum.permissions.moderation import can_approve_post
from forum.permissions.moderation import can_hide_post
from forum.permissions.moderation import can_report_post
from forum.permissions.moderation import can_see_moderation_reason
from forum.permissions.moderation import can_withdraw_post
from forum.permissions.posts import PostDisplay
from forum.permissions.posts import accepts_replies
from forum.permissions.posts import can_edit_post
from forum.permissions.posts import can_quote_in_reply
from forum.permissions.posts import can_reply
from forum.permissions.roles import AnyUser
from forum.permissions.roles import can_moderate
from forum.permissions.roles import is_signed_in


@dataclass(frozen=True, slots=True)
class PostControls:
    """The viewer's links and buttons for one post shown in full."""

    reply: bool = False
    quote: bool = False
    edit: bool = False
    withdraw: bool = False
    decide: bool = False      # approve, edit and approve, return (and the same for an edit)
    moderates: bool = False   # the set's moderator ("waiting for another moderator")
    hide: bool = False
    report: bool = False
    see_reason: bool = False
    # Kept articles use the controls in their keys (forum.threads.fragments), hashed a few
    # times a post: the hash is worked out once.
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.reply, self.quote, self.edit,
                                                self.withdraw, self.decide, self.moderates,
                                                self.hide, self.report, self.see_reason)))

    def __hash__(self) -> int:
        return self._hash

    @property
    def any_link(self) -> bool:
        return self.reply or self.edit

    @property
    def any_moderation(self) -> bool:
        return (self.withdraw or self.decide or self.moderates or self.hide or self.report
                or self.see_reason)


NO_CONTROLS = PostControls()
# One PostControls per combination (at most 512): a page's posts mostly share a few.
_KNOWN: dict[tuple[bool, ...], PostControls] = {}


def _controls(*values: bool) -> PostControls:
    """The PostControls with ``values`` (in field order), made once per process."""
    found = _KNOWN.get(values)
    if found is None:
        found = _KNOWN.setdefault(values, PostControls(*values))
    return found


class PageControls:
    """Thread-wide answers asked once, then per-post controls from them."""

    def __init__(self, user: AnyUser, thread: Thread) -> None:
        # A LocalProxy costs a look-up per attribute: keep the user object itself.
        self.user = getattr(user, "_get_current_object", lambda: user)()
        self.thread = thread
        self.signed_in = is_signed_in(self.user)
        self.may_reply = self.signed_in and can_reply(self.user, thread)
        self.moderates = self.signed_in and can_moderate(self.user, thread.learning_set)

    def for_post(self, post: Post, display: PostDisplay | str) -> PostControls:
        """The controls beside ``post``, whose display for this viewer is ``display``."""
        if not self.signed_in or display != PostDisplay.FULL:
            return NO_CONTROLS
        user = self.user
        reply = self.may_reply and accepts_replies(post)
        return _controls(
            reply,
            reply and can_quote_in_reply(post) and not post.kind,
            can_edit_post(user, post),
            can_withdraw_post(user, post),
            self.moderates and can_approve_post(user, post),
            self.moderates,
            self.moderates and can_hide_post(user, post),
            can_report_post(user, post, display=PostDisplay(display)),
            can_see_moderation_reason(user, post))


def post_controls(user: AnyUser, post: Post, display: PostDisplay | str) -> PostControls:
    """The controls for one post shown on its own (the reply page)."""
    return PageControls(user, post.thread).for_post(post, display)
