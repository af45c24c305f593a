"""Who may do what to which object: the one place these rules live.

Views, services, queries and templates ask these rules; nothing else decides. Each rule has
one home, and where lists are involved its predicate ("may this user...", on one object) and
its query form ("which rows may this user see", a WHERE clause or a select of ids) sit side
by side in the same module:

- :mod:`.roles`: signed in, admin, role in a set; who runs a set (``is_facilitator`` with
  ``facilitates_filter``, ``facilitators_of``); who moderates (``can_moderate`` with
  ``moderated_set_ids``/``moderates_filter``, ``moderators_of``).
- :mod:`.sets`: reading and running sets (``can_view_set`` with ``readable_sets_filter``).
- :mod:`.posts`: threads and posts (``can_open_thread`` with ``visible_threads_filter``,
  ``can_view_post`` with ``visible_posts_filter``, ``post_display``).
- :mod:`.moderation`: approving, hiding, reporting, withdrawing.
- :mod:`.guides`: curating, reading and quoting.
- :mod:`.challenges`: challenges and the kinds of reply in them (``can_view_challenge``
  with ``visible_challenges_filter``, ``can_change_post_kind`` with ``relabelable_posts_filter``).
- :mod:`.events`: the network's events (``can_view_event`` with ``visible_events_filter``).
- :mod:`.topics`: topics proposed for workshops (``can_view_topic`` with
  ``visible_topics_filter``, ``can_propose_topic``, ``can_support_topic``, ``can_decide_topics``).
- :mod:`.files`: uploaded files go with what they are attached to (``can_view_file``).
- :mod:`.meetings`: a set's meetings (``can_view_meeting`` with ``visible_meetings_filter``).
- :mod:`.notifications`: what a notification may still tell its recipient.
- :mod:`.organisations`: who keeps the list of member organisations.
- :mod:`.people`: a person's data download, for its owner only, and an admins' copy of it
  (a subject access request), for admins only (``can_fetch_data_export`` with
  ``own_data_exports`` and ``admin_data_exports``).
- :mod:`.actions`: committed actions (``can_view_action`` with ``visible_actions_filter``) and
  the facilitator's participation page.

Predicates take the acting user (possibly anonymous) and the object. A ``False`` from a
``can_view_*`` predicate means the view answers 404, so nothing reveals that the object
exists. ``tests/unit/test_permissions_agree.py`` checks on generated data that every
predicate and its query form agree.
"""

from forum.permissions.actions import can_view_action
from forum.permissions.actions import can_view_participation
from forum.permissions.actions import visible_actions_filter
from forum.permissions.challenges import HOLDER_KINDS
from forum.permissions.challenges import OTHER_KINDS
from forum.permissions.challenges import RELABEL_KINDS
from forum.permissions.challenges import can_bring_challenge
from forum.permissions.challenges import can_change_challenge_status
from forum.permissions.challenges import can_change_post_kind
from forum.permissions.challenges import can_make_challenge
from forum.permissions.challenges import can_post_kind
from forum.permissions.challenges import can_view_challenge
from forum.permissions.challenges import can_write_closing_summary
from forum.permissions.challenges import is_holder
from forum.permissions.challenges import makes_challenges_of_threads
from forum.permissions.challenges import relabelable_posts_filter
from forum.permissions.challenges import reply_kinds
from forum.permissions.challenges import visible_challenges_filter
from forum.permissions.challenges import visible_summaries_filter
from forum.permissions.controls import NO_CONTROLS
from forum.permissions.controls import PageControls
from forum.permissions.controls import PostControls
from forum.permissions.controls import post_controls
from forum.permissions.events import can_manage_events
from forum.permissions.events import can_sign_up
from forum.permissions.events import can_view_event
from forum.permissions.events import visible_events_filter
from forum.permissions.files import can_view_file
from forum.permissions.guides import can_curate_guide
from forum.permissions.guides import can_keep_quote
from forum.permissions.guides import can_quote_post
from forum.permissions.guides import can_quote_thread
from forum.permissions.guides import can_view_published_guide
from forum.permissions.guides import is_open_to_everyone
from forum.permissions.guides import kept_quotes_filter
from forum.permissions.guides import published_guides_filter
from forum.permissions.guides import quotable_posts_filter
from forum.permissions.guides import quotable_threads_filter
from forum.permissions.meetings import can_run_meetings
from forum.permissions.meetings import can_view_meeting
from forum.permissions.meetings import visible_meetings_filter
from forum.permissions.moderation import REASONED_STATUSES
from forum.permissions.moderation import approvable_posts_filter
from forum.permissions.moderation import can_approve_post
from forum.permissions.moderation import can_hide_post
from forum.permissions.moderation import can_report_post
from forum.permissions.moderation import can_see_moderation_reason
from forum.permissions.moderation import can_set_moderation_policy
from forum.permissions.moderation import can_view_moderation_log
from forum.permissions.moderation import can_withdraw_post
from forum.permissions.moderation import hideable_posts_filter
from forum.permissions.moderation import waiting_edits_filter
from forum.permissions.moderation import waiting_new_posts_filter
from forum.permissions.moderation import waiting_posts_filter
from forum.permissions.notifications import can_read_notification
from forum.permissions.notifications import readable_notifications
from forum.permissions.organisations import can_manage_organisations
from forum.permissions.people import admin_data_exports
from forum.permissions.people import can_fetch_data_export
from forum.permissions.people import own_data_exports
from forum.permissions.posts import AUTHOR_ONLY_STATUSES
from forum.permissions.posts import LISTED_OPENING_STATUSES
from forum.permissions.posts import PUBLISHED_STATUSES
from forum.permissions.posts import UNANSWERABLE_STATUSES
from forum.permissions.posts import PostDisplay
from forum.permissions.posts import accepts_replies
from forum.permissions.posts import can_edit_post
from forum.permissions.posts import can_open_thread
from forum.permissions.posts import can_quote_in_reply
from forum.permissions.posts import can_reply
from forum.permissions.posts import can_reply_to_post
from forum.permissions.posts import can_see_unapproved_text
from forum.permissions.posts import can_view_pending_edit
from forum.permissions.posts import can_view_post
from forum.permissions.posts import can_view_revision
from forum.permissions.posts import can_view_revisions
from forum.permissions.posts import can_view_thread
from forum.permissions.posts import listed_threads_filter
from forum.permissions.posts import moderated_posts_filter
from forum.permissions.posts import omitted_in_thread_filter
from forum.permissions.posts import opening_post
from forum.permissions.posts import opening_posts
from forum.permissions.posts import post_display
from forum.permissions.posts import post_displays
from forum.permissions.posts import shown_posts_filter
from forum.permissions.posts import visible_posts_filter
from forum.permissions.posts import visible_posts_in_thread_filter
from forum.permissions.posts import visible_revisions
from forum.permissions.posts import visible_threads_filter
from forum.permissions.prepared import for_viewer
from forum.permissions.roles import MODERATING_ROLES
from forum.permissions.roles import AnyUser
from forum.permissions.roles import can_handle_network_requests
from forum.permissions.roles import can_moderate
from forum.permissions.roles import can_use_moderation_queue
from forum.permissions.roles import facilitates_filter
from forum.permissions.roles import facilitators_of
from forum.permissions.roles import forget_roles
from forum.permissions.roles import has_role
from forum.permissions.roles import is_admin
from forum.permissions.roles import is_facilitator
from forum.permissions.roles import is_network_coordinator
from forum.permissions.roles import is_set_moderator
from forum.permissions.roles import is_signed_in
from forum.permissions.roles import may_post_signed_out
from forum.permissions.roles import member_set_ids
from forum.permissions.roles import members_of
from forum.permissions.roles import moderated_set_ids
from forum.permissions.roles import moderates_filter
from forum.permissions.roles import moderators_of
from forum.permissions.roles import network_coordinators
from forum.permissions.roles import network_request_handlers
from forum.permissions.roles import remember_role
from forum.permissions.roles import role_in
from forum.permissions.roles import role_select
from forum.permissions.roles import site_admins
from forum.permissions.sets import can_administer
from forum.permissions.sets import can_ask_to_join
from forum.permissions.sets import can_decide_join_request
from forum.permissions.sets import can_disable_account
from forum.permissions.sets import can_edit_profile
from forum.permissions.sets import can_edit_set
from forum.permissions.sets import can_erase_account
from forum.permissions.sets import can_manage_members
from forum.permissions.sets import can_manage_sets
from forum.permissions.sets import can_remove_admin
from forum.permissions.sets import can_remove_member
from forum.permissions.sets import can_start_thread
from forum.permissions.sets import can_view_members
from forum.permissions.sets import can_view_set
from forum.permissions.sets import decidable_join_requests_filter
from forum.permissions.sets import is_member
from forum.permissions.sets import is_members_only
from forum.permissions.sets import joinable_sets_filter
from forum.permissions.sets import member_sets_filter
from forum.permissions.sets import readable_filter
from forum.permissions.sets import readable_set_ids
from forum.permissions.sets import readable_sets_filter
from forum.permissions.topics import can_decide_topics
from forum.permissions.topics import can_propose_topic
from forum.permissions.topics import can_support_topic
from forum.permissions.topics import can_view_topic
from forum.permissions.topics import has_topics
from forum.permissions.topics import proposal_needs_approval
from forum.permissions.topics import topics_open
from forum.permissions.topics import visible_topics_filter

__all__ = [
    "NO_CONTROLS",
    "PageControls",
    "PostControls",
    "post_controls",
    "AUTHOR_ONLY_STATUSES",
    "AnyUser",
    "HOLDER_KINDS",
    "LISTED_OPENING_STATUSES",
    "MODERATING_ROLES",
    "OTHER_KINDS",
    "PUBLISHED_STATUSES",
    "PostDisplay",
    "REASONED_STATUSES",
    "RELABEL_KINDS",
    "UNANSWERABLE_STATUSES",
    "accepts_replies",
    "approvable_posts_filter",
    "can_administer",
    "can_approve_post",
    "can_bring_challenge",
    "can_change_challenge_status",
    "can_write_closing_summary",
    "can_change_post_kind",
    "can_curate_guide",
    "can_disable_account",
    "can_edit_post",
    "can_edit_profile",
    "can_edit_set",
    "can_erase_account",
    "can_hide_post",
    "can_make_challenge",
    "makes_challenges_of_threads",
    "can_manage_events",
    "can_ask_to_join",
    "can_decide_join_request",
    "can_manage_members",
    "decidable_join_requests_filter",
    "joinable_sets_filter",
    "can_manage_sets",
    "can_moderate",
    "can_open_thread",
    "can_quote_in_reply",
    "can_post_kind",
    "can_keep_quote",
    "can_quote_post",
    "can_quote_thread",
    "can_manage_organisations",
    "can_read_notification",
    "can_decide_topics",
    "can_propose_topic",
    "can_support_topic",
    "can_view_topic",
    "has_topics",
    "proposal_needs_approval",
    "topics_open",
    "visible_topics_filter",
    "can_remove_admin",
    "can_remove_member",
    "can_reply",
    "can_run_meetings",
    "can_reply_to_post",
    "can_report_post",
    "can_see_moderation_reason",
    "can_see_unapproved_text",
    "can_set_moderation_policy",
    "can_sign_up",
    "can_start_thread",
    "can_use_moderation_queue",
    "can_view_challenge",
    "can_view_action",
    "can_view_event",
    "can_view_file",
    "can_view_meeting",
    "can_view_members",
    "can_view_moderation_log",
    "can_view_participation",
    "can_view_pending_edit",
    "can_view_post",
    "can_view_published_guide",
    "can_view_revision",
    "can_view_revisions",
    "can_view_set",
    "can_view_thread",
    "can_withdraw_post",
    "facilitates_filter",
    "facilitators_of",
    "forget_roles",
    "has_role",
    "hideable_posts_filter",
    "can_handle_network_requests",
    "network_coordinators",
    "network_request_handlers",
    "site_admins",
    "is_admin",
    "is_facilitator",
    "is_holder",
    "is_network_coordinator",
    "is_member",
    "is_members_only",
    "is_open_to_everyone",
    "is_set_moderator",
    "is_signed_in",
    "may_post_signed_out",
    "listed_threads_filter",
    "member_set_ids",
    "members_of",
    "member_sets_filter",
    "moderated_posts_filter",
    "moderated_set_ids",
    "moderates_filter",
    "moderators_of",
    "omitted_in_thread_filter",
    "opening_post",
    "opening_posts",
    "post_display",
    "post_displays",
    "for_viewer",
    "published_guides_filter",
    "kept_quotes_filter",
    "quotable_posts_filter",
    "quotable_threads_filter",
    "readable_filter",
    "readable_notifications",
    "admin_data_exports",
    "can_fetch_data_export",
    "own_data_exports",
    "readable_set_ids",
    "readable_sets_filter",
    "relabelable_posts_filter",
    "reply_kinds",
    "remember_role",
    "role_in",
    "role_select",
    "shown_posts_filter",
    "visible_challenges_filter",
    "visible_summaries_filter",
    "visible_actions_filter",
    "visible_events_filter",
    "visible_meetings_filter",
    "visible_posts_filter",
    "visible_posts_in_thread_filter",
    "visible_revisions",
    "visible_threads_filter",
    "waiting_edits_filter",
    "waiting_new_posts_filter",
    "waiting_posts_filter",
]
