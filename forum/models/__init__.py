"""The forum's database models, importable from one place."""

from forum.models import shape_version as _shape_version  # noqa: F401 (the triggers, with posts)
from forum.models.base import utcnow
from forum.models.cycle import Action
from forum.models.cycle import ActionState
from forum.models.cycle import ActionUpdate
from forum.models.cycle import Challenge
from forum.models.cycle import ChallengeStatus
from forum.models.cycle import Meeting
from forum.models.cycle import PostKind
from forum.models.cycle import UpdateOutcome
from forum.models.data_export import DataExport
from forum.models.data_export import ExportState
from forum.models.event import Event
from forum.models.event import EventAudience
from forum.models.event import EventKind
from forum.models.event import EventMaterial
from forum.models.event import EventSet
from forum.models.event import EventSignup
from forum.models.event import MaterialKind
from forum.models.event import SignupStatus
from forum.models.guide import Guide
from forum.models.guide import GuideExcerpt
from forum.models.guide import GuideFile
from forum.models.guide import GuideSearchEntry
from forum.models.guide import GuideSection
from forum.models.guide import GuideVersion
from forum.models.join_request import JoinRequest
from forum.models.join_request import RequestStatus
from forum.models.learning_set import Invitation
from forum.models.learning_set import LearningSet
from forum.models.learning_set import Membership
from forum.models.learning_set import ModerationPolicy
from forum.models.learning_set import Role
from forum.models.learning_set import Visibility
from forum.models.moderation import ActionKind
from forum.models.moderation import ModerationAction
from forum.models.moderation import Report
from forum.models.moderation import ReportStatus
from forum.models.network_request import NetworkRequest
from forum.models.notification import EmailMode
from forum.models.notification import EmailTopic
from forum.models.notification import Notification
from forum.models.notification import NotificationKind
from forum.models.notification import NotificationPreference
from forum.models.notification import QueuedEmail
from forum.models.organisation import Nation
from forum.models.organisation import Organisation
from forum.models.organisation import OrganisationChange
from forum.models.organisation import OrganisationKind
from forum.models.reading import FollowLevel
from forum.models.reading import ThreadFollow
from forum.models.reading import ThreadRead
from forum.models.site_page import SitePage
from forum.models.thread import Post
from forum.models.thread import PostRevision
from forum.models.thread import PostStatus
from forum.models.thread import Thread
from forum.models.thread import waiting_post
from forum.models.topic import EventTopic
from forum.models.topic import TopicStatus
from forum.models.topic import TopicSupport
from forum.models.upload import UploadedFile
from forum.models.user import ANONYMOUS_CREDIT
from forum.models.user import AccountEvent
from forum.models.user import CreditPreference
from forum.models.user import SignInThrottle
from forum.models.user import SiteSetting
from forum.models.user import User

__all__ = [
    "ANONYMOUS_CREDIT",
    "AccountEvent",
    "Action",
    "ActionKind",
    "ActionState",
    "ActionUpdate",
    "Challenge",
    "ChallengeStatus",
    "CreditPreference",
    "DataExport",
    "EmailMode",
    "EmailTopic",
    "Event",
    "Nation",
    "NetworkRequest",
    "Organisation",
    "OrganisationChange",
    "OrganisationKind",
    "JoinRequest",
    "RequestStatus",
    "EventAudience",
    "ExportState",
    "EventKind",
    "EventMaterial",
    "EventSet",
    "EventSignup",
    "EventTopic",
    "TopicStatus",
    "TopicSupport",
    "FollowLevel",
    "Guide",
    "GuideExcerpt",
    "GuideFile",
    "GuideSection",
    "GuideSearchEntry",
    "GuideVersion",
    "Invitation",
    "LearningSet",
    "MaterialKind",
    "Meeting",
    "Membership",
    "ModerationAction",
    "ModerationPolicy",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "Post",
    "PostKind",
    "PostRevision",
    "PostStatus",
    "QueuedEmail",
    "Report",
    "ReportStatus",
    "Role",
    "SignInThrottle",
    "SignupStatus",
    "SitePage",
    "SiteSetting",
    "Thread",
    "ThreadFollow",
    "ThreadRead",
    "UpdateOutcome",
    "UploadedFile",
    "User",
    "Visibility",
    "utcnow",
    "waiting_post",
]
