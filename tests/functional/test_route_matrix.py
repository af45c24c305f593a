"""Every route, for every role, in a private set: the status each person gets.

The matrix must name every route the app serves (a test below fails when a new route is added
without a row), and every POST route must refuse a request without a CSRF token and change
nothing. Area tests (test_threads_access, test_moderation_access...) check the finer rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from forum.auth.invitations import create_invitation
from forum.challenges import service as challenges
from forum.extensions import db
from forum.files.service import attach
from forum.files.service import prepare
from forum.files.storage import upload_storage
from forum.models import Event
from forum.models import EventAudience
from forum.models import EventKind
from forum.models import EventMaterial
from forum.models import EventTopic
from forum.models import JoinRequest
from forum.models import LearningSet
from forum.models import MaterialKind
from forum.models import Meeting
from forum.models import Membership
from forum.models import NetworkRequest
from forum.models import Organisation
from forum.models import OrganisationKind
from forum.models import PostKind
from forum.models import PostStatus
from forum.models import Role
from forum.models import Thread
from forum.models import TopicStatus
from forum.models import UpdateOutcome
from forum.models import User
from forum.models import utcnow
from forum.moderation import service as moderation
from forum.people import exports as data_exports
from forum.threads import service as threads
from tests import factories
from tests import file_samples
from tests.conftest import ROLE_NAMES
from tests.conftest import PostgresSnapshot
from tests.conftest import World
from tests.conftest import build_world
from tests.conftest import load_world
from tests.conftest import open_test_app
from tests.conftest import session_id_of
from tests.conftest import world_ids
from tests.functional.guide_builders import build_guide
from tests.htmlcheck import assert_valid_html
from tests.htmlcheck import require_checker
from tests.page_checks import error_message_problems
from tests.page_checks import title_problems


def _row(*codes: int) -> dict[str, int]:
    return dict(zip(ROLE_NAMES, codes, strict=True))


# 302 for GET: sent to sign in. 401 for POST: the sign-in page that keeps what was sent (for
# every POST that needs an account, before anything is looked up: the same for a private set).
# 404: cannot see the set (or the object). 403: can see it, may not do this.
# 303/302 after POST: the action was done (or the form redirected after a success).
#                                       anonymous outsider member moderator facilitator admin
MATRIX: list[tuple[str, str, str, dict[str, int]]] = [
    ("main.index", "GET", "/", _row(200, 200, 200, 200, 200, 200)),
    ("search.results", "GET", "/search", _row(200, 200, 200, 200, 200, 200)),
    ("events.index", "GET", "/events/", _row(200, 200, 200, 200, 200, 200)),
    ("events.archive", "GET", "/events/archive", _row(200, 200, 200, 200, 200, 200)),
    # {event}: an event for the members of the private set.
    ("events.show", "GET", "/events/{event}", _row(404, 404, 200, 200, 200, 200)),
    ("events.calendar", "GET", "/events/{event}/calendar.ics",
     _row(404, 404, 200, 200, 200, 200)),
    ("events.new", "GET", "/events/new", _row(302, 403, 403, 403, 403, 200)),
    ("events.new", "POST", "/events/new", _row(401, 403, 403, 403, 403, 200)),
    ("events.edit", "GET", "/events/{event}/edit", _row(302, 404, 403, 403, 403, 200)),
    ("events.edit", "POST", "/events/{event}/edit", _row(401, 404, 403, 403, 403, 200)),
    ("sets.ask_to_join", "GET", "/sets/{slug}/ask-to-join", _row(302, 404, 403, 403, 403, 403)),
    ("sets.ask_to_join", "POST", "/sets/{slug}/ask-to-join", _row(401, 404, 403, 403, 403, 403)),
    # {join_request}: the outsider's request to join the private set (made while it was open).
    ("sets.accept_join_request", "POST", "/sets/{slug}/join-requests/{join_request}/accept",
     _row(401, 404, 403, 403, 302, 302)),
    ("sets.decline_join_request", "GET", "/sets/{slug}/join-requests/{join_request}/decline",
     _row(302, 404, 403, 403, 200, 200)),
    ("sets.decline_join_request", "POST", "/sets/{slug}/join-requests/{join_request}/decline",
     _row(401, 404, 403, 403, 200, 200)),
    ("events.cancel_event", "GET", "/events/{event}/cancel-event",
     _row(302, 404, 403, 403, 403, 200)),
    ("events.cancel_event", "POST", "/events/{event}/cancel-event",
     _row(401, 404, 403, 403, 403, 302)),
    ("events.sign_up", "POST", "/events/{event}/sign-up", _row(401, 404, 302, 302, 302, 302)),
    ("events.cancel", "POST", "/events/{event}/cancel", _row(401, 404, 302, 302, 302, 302)),
    # Workshop topics ({topic}: a published proposal by another member of the set). An empty
    # proposal comes back with its message; withdrawing support nobody gave says so.
    ("events.propose_topic", "POST", "/events/{event}/topics", _row(401, 404, 200, 200, 200, 200)),
    ("events.topic_action", "POST", "/events/{event}/topics/{topic}/support",
     _row(401, 404, 302, 302, 302, 302)),
    ("events.topic_action", "POST", "/events/{event}/topics/{topic}/withdraw-support",
     _row(401, 404, 302, 302, 302, 302)),
    ("events.topic_action", "POST", "/events/{event}/topics/{topic}/approve",
     _row(401, 404, 403, 403, 403, 302)),
    ("events.topic_action", "POST", "/events/{event}/topics/{topic}/hide",
     _row(401, 404, 403, 403, 403, 302)),
    ("events.topic_action", "POST", "/events/{event}/topics/{topic}/add-to-agenda",
     _row(401, 404, 403, 403, 403, 302)),
    ("events.topic_action", "POST", "/events/{event}/topics/{topic}/remove-from-agenda",
     _row(401, 404, 403, 403, 403, 302)),
    ("events.topic_action", "POST", "/events/{event}/topics/{topic}/no-such-action",
     _row(401, 404, 404, 404, 404, 404)),
    ("events.add_material", "GET", "/events/{event}/materials/new",
     _row(302, 404, 403, 403, 403, 200)),
    ("events.add_material", "POST", "/events/{event}/materials/new",
     _row(401, 404, 403, 403, 403, 200)),
    # Uploaded files: {event_file} on the set-only event's slides, {post_file} on the opening
    # post, {pending_file} on the waiting reply (its text only for its author and moderators).
    ("files.serve", "GET", "/files/{event_file}", _row(404, 404, 200, 200, 200, 200)),
    ("files.serve", "GET", "/files/{post_file}", _row(404, 404, 200, 200, 200, 200)),
    ("files.serve", "GET", "/files/{pending_file}", _row(404, 404, 404, 200, 200, 200)),
    # {meeting_file}: on the private set's meeting; {pending_challenge_file}: on a waiting reply in
    # the challenge (by Penny, a member: the other members do not read it yet).
    ("files.serve", "GET", "/files/{meeting_file}", _row(404, 404, 200, 200, 200, 200)),
    ("files.serve", "GET", "/files/{pending_challenge_file}",
     _row(404, 404, 404, 200, 200, 200)),
    ("operations.health", "GET", "/healthz", _row(200, 200, 200, 200, 200, 200)),
    ("pages.show", "GET", "/privacy", _row(200, 200, 200, 200, 200, 200)),
    ("pages.edit", "GET", "/privacy/edit", _row(302, 403, 403, 403, 403, 200)),
    # An empty form: the text is required, so the form comes back with its error.
    ("pages.edit", "POST", "/privacy/edit", _row(401, 403, 403, 403, 403, 200)),
    ("pages.restore_default", "POST", "/accessibility/restore-default",
     _row(401, 403, 403, 403, 403, 302)),
    ("auth.sign_in", "GET", "/sign-in", _row(200, 302, 302, 302, 302, 302)),
    # Signed in already: an empty sign-in form is simply invalid.
    ("auth.sign_in", "POST", "/sign-in", _row(200, 200, 200, 200, 200, 200)),
    ("auth.sign_out", "POST", "/sign-out", _row(302, 302, 302, 302, 302, 302)),
    ("auth.sign_up", "GET", "/sign-up", _row(404, 404, 404, 404, 404, 404)),
    ("auth.sign_up", "POST", "/sign-up", _row(404, 404, 404, 404, 404, 404)),
    ("auth.finish_sign_up", "GET", "/sign-up/bad-token", _row(404, 404, 404, 404, 404, 404)),
    ("auth.finish_sign_up", "POST", "/sign-up/bad-token", _row(404, 404, 404, 404, 404, 404)),
    ("auth.forgot_password", "GET", "/password/forgot", _row(200, 200, 200, 200, 200, 200)),
    ("auth.forgot_password", "POST", "/password/forgot", _row(200, 200, 200, 200, 200, 200)),
    ("auth.reset_password", "GET", "/password/reset/bad", _row(404, 404, 404, 404, 404, 404)),
    ("auth.reset_password", "POST", "/password/reset/bad", _row(404, 404, 404, 404, 404, 404)),
    ("auth.profile", "GET", "/account/profile", _row(302, 200, 200, 200, 200, 200)),
    # Fields not sent keep their saved values, so an empty POST saves nothing new.
    ("auth.profile", "POST", "/account/profile", _row(401, 302, 302, 302, 302, 302)),
    ("auth.sign_out_others", "POST", "/account/sign-out-others",
     _row(401, 302, 302, 302, 302, 302)),
    ("people.data", "GET", "/account/data", _row(302, 200, 200, 200, 200, 200)),
    ("people.prepare_data", "POST", "/account/data", _row(401, 302, 302, 302, 302, 302)),
    # {data_export}: the member's data download, made: theirs alone (admins included).
    ("people.export_status", "GET", "/account/data/{data_export}/status",
     _row(302, 404, 200, 404, 404, 404)),
    ("people.download_export", "GET", "/account/data/{data_export}/download",
     _row(302, 404, 200, 404, 404, 404)),
    # {admin_copy}: an admin's copy of the member's data (a subject access request): never
    # served by the person's pages, to anyone (the member included).
    ("people.export_status", "GET", "/account/data/{admin_copy}/status",
     _row(302, 404, 404, 404, 404, 404)),
    ("people.download_export", "GET", "/account/data/{admin_copy}/download",
     _row(302, 404, 404, 404, 404, 404)),
    ("people.delete_account", "GET", "/account/delete", _row(302, 200, 200, 200, 200, 200)),
    # No password sent: the form comes back with its error, and nothing is deleted.
    ("people.delete_account", "POST", "/account/delete", _row(401, 200, 200, 200, 200, 200)),
    ("auth.change_password", "GET", "/account/password", _row(302, 200, 200, 200, 200, 200)),
    ("auth.change_password", "POST", "/account/password", _row(401, 200, 200, 200, 200, 200)),
    ("auth.accept_invitation", "GET", "/invitations/{invitation_token}",
     _row(200, 200, 200, 200, 200, 200)),
    ("auth.accept_invitation", "POST", "/invitations/{invitation_token}",
     _row(200, 200, 200, 200, 200, 200)),
    ("sets.index", "GET", "/sets/", _row(302, 200, 200, 200, 200, 200)),
    ("sets.new", "GET", "/sets/new", _row(302, 403, 403, 403, 403, 200)),
    ("sets.new", "POST", "/sets/new", _row(401, 403, 403, 403, 403, 200)),
    ("sets.show", "GET", "/sets/{slug}/", _row(404, 404, 200, 200, 200, 200)),
    ("sets.settings", "GET", "/sets/{slug}/settings", _row(302, 404, 403, 403, 200, 200)),
    ("sets.settings", "POST", "/sets/{slug}/settings", _row(401, 404, 403, 403, 200, 200)),
    ("sets.members", "GET", "/sets/{slug}/members", _row(302, 404, 200, 200, 200, 200)),
    ("sets.invite", "POST", "/sets/{slug}/invitations", _row(401, 404, 403, 403, 200, 200)),
    ("sets.revoke", "POST", "/sets/{slug}/invitations/{invitation}/revoke",
     _row(401, 404, 403, 403, 302, 302)),
    ("sets.remove_member", "GET", "/sets/{slug}/members/{membership}/remove",
     _row(302, 404, 403, 403, 200, 200)),
    ("sets.remove_member", "POST", "/sets/{slug}/members/{membership}/remove",
     _row(401, 404, 403, 403, 302, 302)),
    ("sets.change_role", "POST", "/sets/{slug}/members/{membership}/role",
     _row(401, 404, 403, 403, 200, 200)),
    ("threads.new_thread", "GET", "/sets/{slug}/threads/new", _row(404, 404, 200, 200, 200, 200)),
    ("threads.new_thread", "POST", "/sets/{slug}/threads/new",
     _row(401, 404, 200, 200, 200, 200)),
    ("threads.show", "GET", "/threads/{thread}", _row(404, 404, 200, 200, 200, 200)),
    # Following: members choose; an empty form comes back with its message.
    ("threads.follow", "POST", "/threads/{thread}/follow", _row(401, 404, 200, 200, 200, 200)),
    # "Mark all as read" (visitors have nothing to mark: the private set is 404 to them).
    ("threads.mark_set_read", "POST", "/sets/{slug}/read", _row(401, 404, 302, 302, 302, 302)),
    # The post box's @ suggestions (JSON): only for those who may post in the set.
    ("threads.mention_suggestions", "GET", "/sets/{slug}/mention-suggestions?q=m",
     _row(404, 404, 200, 200, 200, 200)),
    ("threads.reply", "GET", "/posts/{opening}/reply", _row(404, 404, 200, 200, 200, 200)),
    ("threads.reply", "POST", "/posts/{opening}/reply", _row(401, 404, 200, 200, 200, 200)),
    ("threads.edit_post", "GET", "/posts/{opening}/edit", _row(404, 404, 200, 403, 403, 403)),
    ("threads.edit_post", "POST", "/posts/{opening}/edit", _row(401, 404, 200, 403, 403, 403)),
    ("threads.revisions", "GET", "/posts/{opening}/revisions",
     _row(404, 404, 200, 200, 200, 200)),
    # Challenges ({challenge_thread}: held by the member; {question}: a moderator's question).
    ("challenges.new", "GET", "/sets/{slug}/challenges/new", _row(404, 404, 200, 200, 200, 200)),
    ("challenges.new", "POST", "/sets/{slug}/challenges/new",
     _row(401, 404, 200, 200, 200, 200)),
    ("challenges.reply", "GET", "/posts/{challenge_opening}/challenge-reply",
     _row(404, 404, 200, 200, 200, 200)),
    ("challenges.reply", "POST", "/posts/{challenge_opening}/challenge-reply",
     _row(401, 404, 200, 200, 200, 200)),
    ("challenges.make", "GET", "/threads/{thread}/make-challenge",
     _row(404, 404, 403, 403, 200, 200)),
    # An empty form: the aim is required, so nothing changes.
    ("challenges.make", "POST", "/threads/{thread}/make-challenge",
     _row(401, 404, 403, 403, 200, 200)),
    ("challenges.status", "GET", "/threads/{challenge_thread}/challenge-status",
     _row(404, 404, 200, 403, 200, 200)),
    ("challenges.status", "POST", "/threads/{challenge_thread}/challenge-status",
     _row(401, 404, 200, 403, 200, 200)),
    # An empty form: nothing changes, back to the post with a message.
    ("challenges.change_kind", "POST", "/posts/{question}/kind",
     _row(401, 404, 403, 403, 302, 302)),
    ("moderation.queue", "GET", "/moderation/", _row(302, 403, 403, 200, 200, 200)),
    # Nothing selected: the queue says so.
    ("moderation.approve_selected", "POST", "/moderation/approve-selected",
     _row(401, 403, 403, 200, 200, 200)),
    ("moderation.approve", "POST", "/moderation/posts/{pending}/approve",
     _row(401, 404, 404, 303, 303, 303)),
    ("moderation.reject", "GET", "/moderation/posts/{pending}/reject",
     _row(302, 404, 404, 200, 200, 200)),
    ("moderation.reject", "POST", "/moderation/posts/{pending}/reject",
     _row(401, 404, 404, 200, 200, 200)),
    ("moderation.edit", "GET", "/moderation/posts/{pending}/edit",
     _row(302, 404, 404, 200, 200, 200)),
    ("moderation.edit", "POST", "/moderation/posts/{pending}/edit",
     _row(401, 404, 404, 200, 200, 200)),
    # {edited}: a published post with an edit waiting; members can read it, not decide on it.
    ("moderation.approve_edit", "POST", "/moderation/posts/{edited}/approve-edit",
     _row(401, 404, 403, 303, 303, 303)),
    ("moderation.return_edit", "GET", "/moderation/posts/{edited}/return-edit",
     _row(302, 404, 403, 200, 200, 200)),
    ("moderation.return_edit", "POST", "/moderation/posts/{edited}/return-edit",
     _row(401, 404, 403, 200, 200, 200)),
    ("moderation.hide", "GET", "/moderation/posts/{other}/hide",
     _row(302, 404, 403, 200, 200, 200)),
    ("moderation.hide", "POST", "/moderation/posts/{other}/hide",
     _row(401, 404, 403, 200, 200, 200)),
    ("moderation.dismiss_reports", "POST", "/moderation/posts/{other}/dismiss-reports",
     _row(401, 404, 403, 303, 303, 303)),
    ("moderation.thread_action", "POST", "/moderation/threads/{thread}/lock",
     _row(401, 404, 403, 303, 303, 303)),
    ("moderation.report", "GET", "/posts/{other}/report", _row(302, 404, 200, 200, 200, 200)),
    ("moderation.report", "POST", "/posts/{other}/report", _row(401, 404, 200, 200, 200, 200)),
    ("moderation.withdraw", "POST", "/posts/{pending}/withdraw",
     _row(401, 404, 404, 403, 403, 403)),
    ("moderation.log", "GET", "/sets/{slug}/moderation-log", _row(302, 404, 403, 200, 200, 200)),
    ("moderation.policy", "GET", "/sets/{slug}/moderation-policy",
     _row(302, 404, 403, 403, 200, 200)),
    ("moderation.policy", "POST", "/sets/{slug}/moderation-policy",
     _row(401, 404, 403, 403, 200, 200)),
    ("notifications.index", "GET", "/notifications", _row(302, 200, 200, 200, 200, 200)),
    # Someone else's notification, or none: not found for everyone.
    ("notifications.open", "GET", "/notifications/999999", _row(302, 404, 404, 404, 404, 404)),
    ("notifications.mark_all_read", "POST", "/notifications/mark-all-read",
     _row(401, 302, 302, 302, 302, 302)),
    ("notifications.settings", "GET", "/notifications/settings",
     _row(302, 200, 200, 200, 200, 200)),
    ("notifications.settings", "POST", "/notifications/settings",
     _row(401, 200, 200, 200, 200, 200)),
    ("notifications.unsubscribe", "GET", "/notifications/unsubscribe/bad",
     _row(404, 404, 404, 404, 404, 404)),
    ("notifications.unsubscribe", "POST", "/notifications/unsubscribe/bad",
     _row(404, 404, 404, 404, 404, 404)),
    # A real link's pages are tested in test_stop_following_from_email.
    ("notifications.stop_following", "GET", "/notifications/stop-following/bad",
     _row(404, 404, 404, 404, 404, 404)),
    ("notifications.stop_following", "POST", "/notifications/stop-following/bad",
     _row(404, 404, 404, 404, 404, 404)),
    ("admin.index", "GET", "/admin/", _row(302, 403, 403, 403, 403, 200)),
    ("admin.organisations_list", "GET", "/admin/organisations",
     _row(302, 403, 403, 403, 403, 200)),
    ("admin.organisations_list", "POST", "/admin/organisations",
     _row(401, 403, 403, 403, 403, 200)),
    ("network.organisations", "GET", "/network/organisations", _row(200, 200, 200, 200, 200, 200)),
    # About the network and its request-to-join form (an empty POST: the form with its errors).
    ("network.about", "GET", "/network/", _row(200, 200, 200, 200, 200, 200)),
    ("network.about", "POST", "/network/", _row(200, 200, 200, 200, 200, 200)),
    ("pages.edit", "GET", "/network/edit", _row(302, 403, 403, 403, 403, 200)),
    ("pages.restore_default", "POST", "/network/restore-default",
     _row(401, 403, 403, 403, 403, 302)),
    # The queue of requests ({network_request}: a visitor's waiting request). Coordinators see
    # it too (tests/functional/test_network_requests.py).
    ("network.queue", "GET", "/network/requests", _row(302, 403, 403, 403, 403, 200)),
    ("network.accept", "GET", "/network/requests/{network_request}/accept",
     _row(302, 403, 403, 403, 403, 200)),
    ("network.accept", "POST", "/network/requests/{network_request}/accept",
     _row(401, 403, 403, 403, 403, 302)),
    ("network.decline", "GET", "/network/requests/{network_request}/decline",
     _row(302, 403, 403, 403, 403, 200)),
    # No message: the form comes back with its error.
    ("network.decline", "POST", "/network/requests/{network_request}/decline",
     _row(401, 403, 403, 403, 403, 200)),
    ("network.join", "GET", "/network/join/bad", _row(404, 404, 404, 404, 404, 404)),
    ("network.join", "POST", "/network/join/bad", _row(404, 404, 404, 404, 404, 404)),
    ("admin.settings", "GET", "/admin/settings", _row(302, 403, 403, 403, 403, 200)),
    ("admin.settings", "POST", "/admin/settings", _row(401, 403, 403, 403, 403, 302)),
    ("admin.user", "GET", "/admin/users/{member_id}", _row(302, 403, 403, 403, 403, 200)),
    ("admin.user_action", "POST", "/admin/users/{member_id}/disable",
     _row(401, 403, 403, 403, 403, 302)),
    ("admin.log", "GET", "/admin/log", _row(302, 403, 403, 403, 403, 200)),
    ("admin.request_data_copy", "POST", "/admin/users/{member_id}/data-copy",
     _row(401, 403, 403, 403, 403, 302)),
    ("admin.download_data_copy", "GET", "/admin/users/{member_id}/data-copy/{admin_copy}",
     _row(302, 403, 403, 403, 403, 200)),
    # Not the copy of this person's data: not found.
    ("admin.download_data_copy", "GET", "/admin/users/{member_id}/data-copy/{data_export}",
     _row(302, 403, 403, 403, 403, 404)),
    ("admin.erase_user", "GET", "/admin/users/{member_id}/erase",
     _row(302, 403, 403, 403, 403, 200)),
    # Nothing confirmed: the form comes back with its errors, and nothing is erased.
    ("admin.erase_user", "POST", "/admin/users/{member_id}/erase",
     _row(401, 403, 403, 403, 403, 200)),
    # Changing and merging an organisation record ({organisation}); empty forms come back
    # with their errors. Network coordinators may too (tests/functional/test_organisation_records).
    ("admin.edit_organisation", "GET", "/admin/organisations/{organisation}/edit",
     _row(302, 403, 403, 403, 403, 200)),
    ("admin.edit_organisation", "POST", "/admin/organisations/{organisation}/edit",
     _row(401, 403, 403, 403, 403, 200)),
    ("admin.merge_organisation", "GET", "/admin/organisations/{organisation}/merge",
     _row(302, 403, 403, 403, 403, 200)),
    ("admin.merge_organisation", "POST", "/admin/organisations/{organisation}/merge",
     _row(401, 403, 403, 403, 403, 200)),
    ("admin.edit_organisation", "GET", "/admin/organisations/99999/edit",
     _row(302, 403, 403, 403, 403, 404)),
    # Guides ({guide}: published, not public; the set is private, so outsiders get 404).
    ("guides.index", "GET", "/guides/", _row(200, 200, 200, 200, 200, 200)),
    ("guides.set_guides", "GET", "/sets/{slug}/guides/", _row(404, 404, 200, 200, 200, 200)),
    ("guides.new", "GET", "/sets/{slug}/guides/new", _row(404, 404, 403, 403, 200, 200)),
    ("guides.new", "POST", "/sets/{slug}/guides/new", _row(401, 404, 403, 403, 200, 200)),
    ("guides.curate", "GET", "/sets/{slug}/guides/{guide}/", _row(404, 404, 403, 403, 200, 200)),
    ("guides.settings", "GET", "/sets/{slug}/guides/{guide}/settings",
     _row(404, 404, 403, 403, 200, 200)),
    ("guides.settings", "POST", "/sets/{slug}/guides/{guide}/settings",
     _row(401, 404, 403, 403, 200, 200)),
    ("guides.preview", "GET", "/sets/{slug}/guides/{guide}/preview",
     _row(404, 404, 403, 403, 200, 200)),
    ("guides.publish", "POST", "/sets/{slug}/guides/{guide}/publish",
     _row(401, 404, 403, 403, 302, 302)),
    ("guides.download_draft", "GET", "/sets/{slug}/guides/{guide}/download/markdown",
     _row(404, 404, 403, 403, 200, 200)),
    ("guides.add_section", "POST", "/sets/{slug}/guides/{guide}/sections",
     _row(401, 404, 403, 403, 200, 200)),
    ("guides.edit_section", "GET", "/sets/{slug}/guides/{guide}/sections/{guide_section}/edit",
     _row(404, 404, 403, 403, 200, 200)),
    ("guides.edit_section", "POST", "/sets/{slug}/guides/{guide}/sections/{guide_section}/edit",
     _row(401, 404, 403, 403, 200, 200)),
    ("guides.move_section", "POST", "/sets/{slug}/guides/{guide}/sections/{guide_section}/move",
     _row(401, 404, 403, 403, 302, 302)),
    ("guides.delete_section", "GET",
     "/sets/{slug}/guides/{guide}/sections/{guide_section}/delete",
     _row(404, 404, 403, 403, 200, 200)),
    ("guides.delete_section", "POST",
     "/sets/{slug}/guides/{guide}/sections/{guide_section}/delete",
     _row(401, 404, 403, 403, 302, 302)),
    ("guides.add_excerpt", "POST", "/sets/{slug}/guides/{guide}/excerpts",
     _row(401, 404, 403, 403, 302, 302)),
    ("guides.edit_excerpt", "GET", "/sets/{slug}/guides/{guide}/excerpts/{guide_excerpt}/edit",
     _row(404, 404, 403, 403, 200, 200)),
    ("guides.edit_excerpt", "POST", "/sets/{slug}/guides/{guide}/excerpts/{guide_excerpt}/edit",
     _row(401, 404, 403, 403, 200, 200)),
    ("guides.move_excerpt", "POST", "/sets/{slug}/guides/{guide}/excerpts/{guide_excerpt}/move",
     _row(401, 404, 403, 403, 302, 302)),
    ("guides.move_excerpt_to", "POST",
     "/sets/{slug}/guides/{guide}/excerpts/{guide_excerpt}/move-to",
     _row(401, 404, 403, 403, 302, 302)),
    ("guides.remove_excerpt", "POST",
     "/sets/{slug}/guides/{guide}/excerpts/{guide_excerpt}/remove",
     _row(401, 404, 403, 403, 302, 302)),
    # Nothing ticked: the curation page says so.
    ("guides.add_several", "POST", "/sets/{slug}/guides/{guide}/excerpts/several",
     _row(401, 404, 403, 403, 200, 200)),
    # No decision sent: back to the excerpt, nothing changed.
    ("guides.resolve_source_change", "POST",
     "/sets/{slug}/guides/{guide}/excerpts/{guide_excerpt}/source",
     _row(401, 404, 403, 403, 302, 302)),
    ("guides.from_thread", "POST", "/threads/{thread}/guide", _row(401, 404, 403, 403, 302, 302)),
    # Set meetings ({meeting}: an upcoming meeting of the private set).
    ("meetings.index", "GET", "/sets/{slug}/meetings", _row(404, 404, 200, 200, 200, 200)),
    ("meetings.show", "GET", "/sets/{slug}/meetings/{meeting}",
     _row(404, 404, 200, 200, 200, 200)),
    ("meetings.calendar", "GET", "/sets/{slug}/meetings/{meeting}/invitation.ics",
     _row(404, 404, 200, 200, 200, 200)),
    ("meetings.new", "GET", "/sets/{slug}/meetings/new", _row(404, 404, 403, 403, 200, 200)),
    # An empty form comes back with its errors.
    ("meetings.new", "POST", "/sets/{slug}/meetings/new", _row(401, 404, 403, 403, 200, 200)),
    ("meetings.edit", "GET", "/sets/{slug}/meetings/{meeting}/edit",
     _row(404, 404, 403, 403, 200, 200)),
    ("meetings.edit", "POST", "/sets/{slug}/meetings/{meeting}/edit",
     _row(401, 404, 403, 403, 200, 200)),
    ("meetings.cancel", "GET", "/sets/{slug}/meetings/{meeting}/cancel",
     _row(404, 404, 403, 403, 200, 200)),
    ("meetings.cancel", "POST", "/sets/{slug}/meetings/{meeting}/cancel",
     _row(401, 404, 403, 403, 302, 302)),
    ("meetings.notes", "GET", "/sets/{slug}/meetings/{meeting}/notes",
     _row(404, 404, 403, 403, 200, 200)),
    # Empty notes are allowed (they remove the notes).
    ("meetings.notes", "POST", "/sets/{slug}/meetings/{meeting}/notes",
     _row(401, 404, 403, 403, 302, 302)),
    # A meeting's files ({meeting_file}: the agenda of {meeting}). An empty form comes back with
    # "Choose the files to add"; removing is a button on the meeting's page.
    ("meetings.add_files", "GET", "/sets/{slug}/meetings/{meeting}/files/new",
     _row(404, 404, 403, 403, 200, 200)),
    ("meetings.add_files", "POST", "/sets/{slug}/meetings/{meeting}/files/new",
     _row(401, 404, 403, 403, 200, 200)),
    ("meetings.remove_file", "POST",
     "/sets/{slug}/meetings/{meeting}/files/{meeting_file}/remove",
     _row(401, 404, 403, 403, 302, 302)),
    # The action-learning cycle: a private set's actions are for its members (and admins); its
    # participation figures for its facilitators (and admins).
    ("actions.index", "GET", "/sets/{slug}/actions", _row(404, 404, 200, 200, 200, 200)),
    ("actions.index", "GET", "/sets/{slug}/actions?holder={member_id}&status=overdue",
     _row(404, 404, 200, 200, 200, 200)),
    ("actions.participation", "GET", "/sets/{slug}/participation",
     _row(404, 404, 403, 403, 200, 200)),
    ("actions.posts_chart", "GET", "/sets/{slug}/participation/posts.svg",
     _row(404, 404, 403, 403, 200, 200)),
    ("actions.waits_chart", "GET", "/sets/{slug}/participation/waits.svg",
     _row(404, 404, 403, 403, 200, 200)),
    ("guides.published", "GET", "/guides/{guide_slug}/", _row(404, 404, 200, 200, 200, 200)),
    ("guides.version", "GET", "/guides/{guide_slug}/v1/", _row(404, 404, 200, 200, 200, 200)),
    ("guides.download_version", "GET", "/guides/{guide_slug}/v1/download/markdown",
     _row(404, 404, 200, 200, 200, 200)),
]


@dataclass
class MatrixWorld:
    """The world and the objects the URLs point at, built once per test run (per xdist worker).

    Each test gets a copy: an SQLite file and instance folder (uploaded files, data downloads)
    copied, or the PostgreSQL rows put back, so no test sees what another did.
    """

    sqlite_path: Path | None
    instance: Path
    postgres: PostgresSnapshot | None
    world_ids: dict[str, int]
    ids: dict[str, object]


@pytest.fixture(scope="session")
def matrix_world(tmp_path_factory, database_url, request) -> Iterator[MatrixWorld]:
    on_postgres = bool(database_url and database_url.startswith("postgresql"))
    folder = tmp_path_factory.mktemp("matrix")
    source = None if on_postgres else request.getfixturevalue("sqlite_template")
    made = open_test_app(folder, database_url, source)
    app = next(made)
    world = build_world(app)
    made_ids = _build_ids(app, world)
    postgres = None
    if on_postgres:
        postgres = PostgresSnapshot("matrix_snapshot")
        with app.app_context():
            postgres.take()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    yield MatrixWorld(None if on_postgres else folder / "test.db", folder / "instance",
                      postgres, world_ids(world), made_ids)
    next(made, None)  # close the app (and empty the PostgreSQL tables)


@pytest.fixture
def app(tmp_path, database_url, matrix_world) -> Iterator[Flask]:
    """The app over a copy of the matrix's world (see :class:`MatrixWorld`)."""
    yield from open_test_app(
        tmp_path, database_url, matrix_world.sqlite_path, instance_source=matrix_world.instance,
        restore_postgres=matrix_world.postgres and matrix_world.postgres.restore)


@pytest.fixture
def world(app, matrix_world) -> World:
    return load_world(app, matrix_world.world_ids)


@pytest.fixture
def ids(app, matrix_world) -> dict[str, object]:
    """Objects the URLs point at, all in the world's private set."""
    return dict(matrix_world.ids)


def _build_ids(app, world) -> dict[str, object]:
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        opening = thread.posts[0]
        author = factories.make_user(display_name="Penny Pending")
        factories.add_member(author, thread.learning_set)
        pending = factories.make_post(thread, author, parent=opening, body="Waiting text.",
                                      status=PostStatus.PENDING)
        inviter = db.session.get(User, world.facilitator.id)
        invitation, token = create_invitation(
            db.session, learning_set=thread.learning_set, email="invitee@example.org",
            role=Role.MEMBER, invited_by=inviter)
        membership = db.session.scalar(select(Membership).where(
            Membership.user_id == world.member.id,
            Membership.learning_set_id == world.learning_set.id))
        other = factories.make_post(thread, author, parent=opening, body="Published text.")
        edited = factories.propose_edit(
            factories.make_post(thread, author, parent=opening, body="Approved words."),
            "Proposed words.")
        challenge, challenge_opening = challenges.start_challenge(
            db.session, db.session.get(User, world.member.id), thread.learning_set,
            title="Getting councillors to champion the results", body="Cabinet noted them.",
            aim="Two champions in cabinet.")
        challenge_opening.status = PostStatus.APPROVED
        question = factories.make_post(challenge.thread, db.session.get(User, world.moderator.id),
                                       parent=challenge_opening, body="What is the one ask?")
        question.kind = PostKind.QUESTION.value
        actions_challenge = factories.make_challenge(thread.learning_set,
                                                     db.session.get(User, world.member.id))
        factories.make_action(actions_challenge, date(2020, 1, 1))
        factories.make_update(factories.make_action(actions_challenge, date(2020, 2, 1)),
                              UpdateOutcome.PARTLY_DONE)
        db.session.commit()
        guide = build_guide(world, publish=True)
        event = Event(kind=EventKind.WORKSHOP, title="Set workshop",
                      starts_at=datetime(2031, 1, 1, 10), ends_at=datetime(2031, 1, 1, 12),
                      audience=EventAudience.SETS, signup_open=True,
                      sets=[db.session.get(LearningSet, world.learning_set.id)])
        db.session.add(event)
        db.session.flush()
        proposer = factories.make_user(display_name="Pat Proposer")
        factories.add_member(proposer, db.session.get(LearningSet, world.learning_set.id))
        organisation = Organisation(name="Camden Council", kind=OrganisationKind.LONDON_BOROUGH)
        db.session.add(organisation)
        topic = EventTopic(event_id=event.id, proposer_id=proposer.id, title="Cabinet buy-in",
                           description_source="", description_html="",
                           status=TopicStatus.APPROVED, on_agenda=False)
        db.session.add(topic)
        meeting = Meeting(learning_set_id=world.learning_set.id, title="Set meeting 3",
                          starts_at=datetime(2031, 2, 3, 10), ends_at=datetime(2031, 2, 3, 12),
                          online_url="https://meet.example.org/comms",
                          agenda_source="Actions", agenda_html="<p>Actions</p>")
        db.session.add(meeting)
        join_request = JoinRequest(learning_set_id=world.learning_set.id,
                                   user_id=world.outsider.id, message="May I join?")
        db.session.add(join_request)
        network_request = NetworkRequest(name="Vera Visitor", email="vera@example.org",
                                         organisation="Valeport Borough Council",
                                         job_title="Officer", hopes="Learning.")
        db.session.add(network_request)
        material = EventMaterial(event=event, kind=MaterialKind.FILE, title="Slides")
        storage = upload_storage()
        event_file = attach(db.session, storage, None, prepare(file_samples.PDF, "slides.pdf"),
                            material=material)
        post_file = attach(db.session, storage, None, prepare(file_samples.CSV, "a.csv"),
                           post=opening)
        pending_file = attach(db.session, storage, None, prepare(file_samples.PDF, "p.pdf"),
                              post=pending)
        meeting_file = attach(db.session, storage, None,
                              prepare(file_samples.PDF, "agenda.pdf"), meeting=meeting)
        waiting_question = factories.make_post(challenge.thread, author,
                                               parent=challenge_opening, body="Why now?",
                                               status=PostStatus.PENDING)
        waiting_question.kind = PostKind.QUESTION.value
        pending_challenge_file = attach(db.session, storage, author,
                                        prepare(file_samples.CSV, "q.csv"),
                                        post=waiting_question)
        db.session.commit()
        # The member's data download is made; the moderator's still waits (its page shows so).
        data_export, _ = data_exports.request_export(
            db.session, db.session.get(User, world.member.id), utcnow())
        data_exports.request_export(db.session, db.session.get(User, world.moderator.id),
                                    utcnow())
        admin_copy, _ = data_exports.request_admin_copy(
            db.session, db.session.get(User, world.admin.id),
            db.session.get(User, world.member.id), utcnow())
        db.session.commit()
        data_export_id, admin_copy_id = data_export.id, admin_copy.id
        made = {"network_request": network_request.id, "event_file": event_file.id,
                "post_file": post_file.id, "pending_file": pending_file.id,
                "meeting_file": meeting_file.id,
                "pending_challenge_file": pending_challenge_file.id,
                "join_request": join_request.id, "other": other.id, "edited": edited.id,
                "slug": world.learning_set.slug, "thread": thread.id,
                "opening": opening.id,
                "pending": pending.id, "invitation": invitation.id, "invitation_token": token,
                "membership": membership.id, "member_id": world.member.id,
                "guide": guide.id, "guide_slug": guide.slug,
                "guide_section": guide.section_ids[0], "guide_excerpt": guide.excerpt_ids[0],
                "event": event.id, "challenge_thread": challenge.thread_id,
                "challenge_opening": challenge_opening.id, "question": question.id,
                "meeting": meeting.id, "topic": topic.id,
                "organisation": organisation.id, "data_export": data_export_id,
                "admin_copy": admin_copy_id}
    with app.app_context():
        data_exports.make_export(app, data_export_id)
        data_exports.make_export(app, admin_copy_id)
    return made


def _request(client, method: str, url: str, *, csrf: bool = True):
    response = client.get(url) if method == "GET" else client.post(url, data={}, csrf=csrf)
    response.get_data()
    response.close()  # a file sent from storage is closed once read
    return response


GET_ROUTES = [row for row in MATRIX if row[1] == "GET"]
POST_ROWS = [row for row in MATRIX if row[1] == "POST"]


@pytest.mark.parametrize(("endpoint", "method", "template", "expected"), GET_ROUTES,
                         ids=[f"{m} {t}" for _, m, t, _ in GET_ROUTES])
def test_every_page_answers_each_role_as_expected(client, world, ids, endpoint, method,
                                                  template, expected):
    # A GET changes nothing a role's answer depends on, so one world serves all six roles
    # (the HTML check below relies on the same); every role's answer is reported.
    wrong = []
    for role in ROLE_NAMES:
        client.sign_out()
        user = world.user(role)
        if user is not None:
            client.sign_in_as(user)
        response = _request(client, method, template.format(**ids))
        if response.status_code != expected[role]:
            wrong.append(f"{role} {method} {template}: {response.status_code}, "
                         f"expected {expected[role]}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(("endpoint", "method", "template", "expected"), POST_ROWS,
                         ids=[f"{m} {t}" for _, m, t, _ in POST_ROWS])
@pytest.mark.parametrize("role", ROLE_NAMES)
def test_every_post_answers_each_role_as_expected(client, world, ids, role, endpoint, method,
                                                  template, expected):
    # A POST may act: each role gets a world of its own.
    user = world.user(role)
    if user is not None:
        client.sign_in_as(user)
    response = _request(client, method, template.format(**ids))
    assert response.status_code == expected[role], (
        f"{role} {method} {template}: {response.status_code}, expected {expected[role]}")


def test_the_matrix_names_every_route_the_app_serves(app):
    served = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              if rule.endpoint != "static"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    covered = {(endpoint, method) for endpoint, method, _, _ in MATRIX}
    assert served - covered == set(), "add these routes to MATRIX"
    assert covered - served == set(), "MATRIX names routes the app no longer serves"


def _snapshot(app) -> dict[str, list[tuple]]:
    """Every row of every table: to prove a request changed nothing."""
    with app.app_context():
        return {table.name: sorted(map(tuple, db.session.execute(table.select()).all()), key=repr)
                for table in db.metadata.sorted_tables}


POST_ROUTES = [(endpoint, template) for endpoint, method, template, _ in MATRIX
               if method == "POST"]


@pytest.mark.parametrize(("endpoint", "template"), POST_ROUTES, ids=[t for _, t in POST_ROUTES])
def test_a_post_without_a_csrf_token_changes_nothing(app, client, world, ids, endpoint,
                                                     template):
    # Admin may do anything, the facilitator runs the set: refused for them means refused for all.
    for user in (world.admin, world.facilitator):
        client.sign_in_as(user)
        before = _snapshot(app)
        response = client.post(template.format(**ids), data={}, csrf=False)
        assert response.status_code < 500
        assert _snapshot(app) == before
        with client.session_transaction() as session:
            assert session.get("_user_id") == session_id_of(app, user.id), (
                "a forged POST signed someone out")


PAGINATED = ["/", "/sets/", "/sets/{slug}/", "/notifications", "/moderation/",
             "/sets/{slug}/moderation-log", "/admin/"]
ODD_PAGES = ["99999999999999999999999", "-1", "0", "abc", "1e3", ""]


@pytest.mark.parametrize("template", PAGINATED)
def test_odd_page_numbers_never_cause_a_server_error(client, world, ids, template):
    client.sign_in_as(world.admin)
    for page in ODD_PAGES:
        response = client.get(template.format(**ids), query_string={"page": page})
        assert response.status_code in (200, 404), (template, page, response.status_code)


def _add_moderation_history(app, world) -> None:
    """Posts in every state a page shows: returned with a reason, hidden, reported, edited;
    and the notifications those actions send."""
    with app.test_request_context():
        thread = db.session.get(Thread, world.thread.id)
        opening = thread.posts[0]
        member = db.session.get(User, world.member.id)
        moderator = db.session.get(User, world.moderator.id)
        returned = factories.make_post(thread, member, parent=opening, body="Too *soon*.",
                                       status=PostStatus.PENDING)
        moderation.reject(db.session, moderator, returned, "Please add the <council> name.")
        hidden = factories.make_post(thread, member, parent=opening, body="Off topic.")
        moderation.hide(db.session, moderator, hidden, "Not about assemblies.")
        reported = factories.make_post(thread, moderator, parent=opening, body="Ask & see.")
        moderation.report_post(db.session, member, reported, "Names a resident.")
        threads.edit_post(db.session, member, opening, body="What did you call yours? (edited)")
        db.session.commit()


def _pages_every_role_sees(app, client, world, ids) -> dict[str, str]:
    """Every HTML page a role can reach (GET), and every form re-shown after an empty POST,
    by name ("role METHOD template (status)"). Redirects are Werkzeug's, not ours: left out."""
    _add_moderation_history(app, world)
    documents: dict[str, str] = {}
    for role in ROLE_NAMES:
        client.sign_out()
        user = world.user(role)
        if user is not None:
            client.sign_in_as(user)
        for _, method, template, expected in MATRIX:
            if method == "POST" and expected[role] != 200:
                continue
            response = _request(client, method, template.format(**ids))
            if response.mimetype == "text/html" and not 300 <= response.status_code < 400:
                name = f"{role} {method} {template} ({response.status_code})"
                documents[name] = response.get_data(as_text=True)
    assert len(documents) > 150, "too few pages rendered to be a fair check"
    return documents


def test_every_page_in_the_matrix_is_valid_html_for_every_role(app, client, world, ids):
    # One run of the Nu HTML checker over them all.
    require_checker()
    assert_valid_html(_pages_every_role_sees(app, client, world, ids).items())


def test_every_page_names_itself_and_ties_its_error_messages_to_their_fields(app, client,
                                                                             world, ids):
    # Titles: the page, then the site once; "Error: " first exactly when errors are shown.
    # Each error message is read with its field, and each summary link goes somewhere.
    site_name = app.config["SITE_NAME"]
    wrong = [f"{name}: {problem}"
             for name, html in _pages_every_role_sees(app, client, world, ids).items()
             for problem in title_problems(html, site_name) + error_message_problems(html)]
    assert wrong == [], "\n".join(wrong)
