"""In-app notifications, each user's email preferences, and the queue of emails to send."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from forum.extensions import db
from forum.models.base import utcnow
from forum.models.cycle import Meeting
from forum.models.event import Event
from forum.models.learning_set import LearningSet
from forum.models.learning_set import _str_enum
from forum.models.thread import Post
from forum.models.thread import Thread
from forum.models.user import User


class NotificationKind(enum.StrEnum):
    POST_APPROVED = "post_approved"
    POST_REJECTED = "post_rejected"
    POST_EDITED = "post_edited"        # edited by a moderator
    REPLY = "reply"                    # someone replied to your post
    POST_WAITING = "post_waiting"      # for moderators: a post waits for approval
    MEETING_SCHEDULED = "meeting_scheduled"  # for a set's members: a meeting was arranged
    MEETING_MOVED = "meeting_moved"          # its time or place changed
    MEETING_CANCELLED = "meeting_cancelled"
    ACTION_DUE = "action_due"          # an action you committed to falls due: how did it go?
    # For facilitators: a guide now credits "A participant" (its author deleted their account).
    # Shown in the site only (written as already emailed), never in an email.
    GUIDE_RECREDITED = "guide_recredited"
    EVENT_CHANGED = "event_changed"    # an event you signed up to moved (time or place)
    EVENT_CANCELLED = "event_cancelled"
    EVENT_PLACE = "event_place"        # a place came free for you on the waiting list
    JOIN_REQUESTED = "join_requested"  # for facilitators: someone asks to join the set
    JOIN_ACCEPTED = "join_accepted"
    JOIN_DECLINED = "join_declined"
    NEW_POST = "new_post"              # a new post in a thread you follow
    MENTION = "mention"                # someone @mentioned you in a published post
    TOPIC_PROPOSED = "topic_proposed"  # for coordinators: a workshop topic waits for approval
    # For admins: someone asks for their organisation to be added to the list.
    ORGANISATION_REQUEST = "organisation_request"
    DATA_READY = "data_ready"          # the copy of your data you asked for is ready
    # For an admin: the copy of a person's data they asked for (a subject access request) is
    # ready; actor_id is that person. Shown in the site only (written as already emailed).
    DATA_COPY_READY = "data_copy_ready"
    # For admins and network coordinators: visitors' requests to join the network wait for a
    # decision. One notice per person, renewed with the count (never a visitor's details: the
    # requests are deleted after the decision, and the notice must not outlive them). Not
    # "network_request", the outbox kind of the visitor's own acknowledgement.
    NETWORK_REQUEST = "network_requested"


class EmailTopic(enum.StrEnum):
    """The groups of notifications a user sets an email preference for."""

    DECISIONS = "decisions"    # a moderator approved, sent back or edited your post; your
                               # action falls due (both about your own posts, and both wait on you)
    REPLIES = "replies"        # replies to your posts, new posts in threads you follow
    WAITING = "waiting"        # posts waiting for approval in sets you moderate
    MEETINGS = "meetings"      # your sets' meetings arranged, moved or cancelled
    EVENTS = "events"          # changes to events you signed up to


TOPIC_OF_KIND: dict[NotificationKind, EmailTopic] = {
    NotificationKind.POST_APPROVED: EmailTopic.DECISIONS,
    NotificationKind.POST_REJECTED: EmailTopic.DECISIONS,
    NotificationKind.POST_EDITED: EmailTopic.DECISIONS,
    NotificationKind.REPLY: EmailTopic.REPLIES,
    NotificationKind.POST_WAITING: EmailTopic.WAITING,
    NotificationKind.MEETING_SCHEDULED: EmailTopic.MEETINGS,
    NotificationKind.MEETING_MOVED: EmailTopic.MEETINGS,
    NotificationKind.MEETING_CANCELLED: EmailTopic.MEETINGS,
    NotificationKind.ACTION_DUE: EmailTopic.DECISIONS,
    NotificationKind.GUIDE_RECREDITED: EmailTopic.DECISIONS,
    NotificationKind.EVENT_CHANGED: EmailTopic.EVENTS,
    NotificationKind.EVENT_CANCELLED: EmailTopic.EVENTS,
    NotificationKind.EVENT_PLACE: EmailTopic.EVENTS,
    NotificationKind.JOIN_REQUESTED: EmailTopic.WAITING,
    NotificationKind.JOIN_ACCEPTED: EmailTopic.DECISIONS,
    NotificationKind.JOIN_DECLINED: EmailTopic.DECISIONS,
    NotificationKind.NEW_POST: EmailTopic.REPLIES,
    NotificationKind.MENTION: EmailTopic.REPLIES,
    NotificationKind.TOPIC_PROPOSED: EmailTopic.WAITING,
    NotificationKind.ORGANISATION_REQUEST: EmailTopic.WAITING,
    # Asked for by the person: always emailed (written as already emailed), whatever the topic.
    NotificationKind.DATA_READY: EmailTopic.DECISIONS,
    NotificationKind.DATA_COPY_READY: EmailTopic.WAITING,
    NotificationKind.NETWORK_REQUEST: EmailTopic.WAITING,
}

EVENT_KINDS = (NotificationKind.EVENT_CHANGED, NotificationKind.EVENT_CANCELLED,
               NotificationKind.EVENT_PLACE)


class EmailMode(enum.StrEnum):
    IMMEDIATELY = "immediately"
    DAILY = "daily"
    OFF = "off"


class Notification(db.Model):
    """One thing that happened that a user should know about."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_unread", "user_id", "read_at"),
        Index("ix_notifications_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(_str_enum(NotificationKind, length=20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    learning_set_id: Mapped[int | None] = mapped_column(
        ForeignKey("learning_sets.id", ondelete="CASCADE"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    # A set meeting the notification is about (then no thread or post).
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                                 index=True)
    # The sentence shown in the list and in emails, fixed when the event happened.
    text: Mapped[str] = mapped_column(String(500))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    # When it went out by email, immediately or in a digest (so a digest never repeats it).
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    learning_set: Mapped[LearningSet | None] = relationship()
    thread: Mapped[Thread | None] = relationship()
    post: Mapped[Post | None] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    event: Mapped[Event | None] = relationship()

    @property
    def topic(self) -> EmailTopic:
        return TOPIC_OF_KIND[self.kind]


class NotificationPreference(db.Model):
    """A user's email choices per topic; no row means the defaults."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    decisions: Mapped[EmailMode] = mapped_column(_str_enum(EmailMode, length=12),
                                                 default=EmailMode.IMMEDIATELY)
    replies: Mapped[EmailMode] = mapped_column(_str_enum(EmailMode, length=12),
                                               default=EmailMode.DAILY)
    waiting: Mapped[EmailMode] = mapped_column(_str_enum(EmailMode, length=12),
                                               default=EmailMode.IMMEDIATELY)
    meetings: Mapped[EmailMode] = mapped_column(_str_enum(EmailMode, length=12),
                                                default=EmailMode.IMMEDIATELY,
                                                server_default=EmailMode.IMMEDIATELY.value)
    events: Mapped[EmailMode] = mapped_column(_str_enum(EmailMode, length=12),
                                              default=EmailMode.IMMEDIATELY)
    last_digest_at: Mapped[datetime | None] = mapped_column(DateTime)

    def mode_for(self, topic: EmailTopic) -> EmailMode:
        return EmailMode(getattr(self, topic.value))


class QueuedEmail(db.Model):
    """An email waiting to go out (or sent): written in the transaction of the event it reports.

    Rows are never deleted by the product: a failure keeps the row with its error and a time
    for the next attempt. Rows of kind ``post_waiting`` are composed when sent, so the one
    email reports how many posts wait at that moment.
    """

    __tablename__ = "email_outbox"
    __table_args__ = (
        Index("ix_email_outbox_due", "sent_at", "next_attempt_at"),
        Index("ix_email_outbox_batch", "user_id", "kind", "learning_set_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))  # a NotificationKind value or "digest"
    learning_set_id: Mapped[int | None] = mapped_column(
        ForeignKey("learning_sets.id", ondelete="SET NULL"))
    # The post an event email is about: when sending, the recipient must still be able to read it.
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    # The event an email is about: sent only if the recipient may still see it, with its .ics.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300), default="")
    text_body: Mapped[str] = mapped_column(Text, default="")
    html_body: Mapped[str | None] = mapped_column(Text)
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Set when delivery stopped for good (too many failures, or nothing left to report).
    given_up_at: Mapped[datetime | None] = mapped_column(DateTime)
