"""What a challenge adds to its thread page: the holder's aim and status, each post's kind,
the filter by kind and the reply form with the kinds the reader may post."""

from __future__ import annotations

from typing import Any

from flask import request
from sqlalchemy.orm import Session

from forum import permissions
from forum.challenges import service
from forum.challenges.forms import KIND_HINTS
from forum.challenges.forms import ChallengeReplyForm
from forum.challenges.forms import KindFilterForm
from forum.models import Challenge
from forum.models import ChallengeStatus
from forum.models import PostKind
from forum.models import User


def action_choices(session: Session, user: User, challenge: Challenge) -> list[tuple[int, str]]:
    """The user's open actions, as choices for an update: "due 3 March: <first words>"."""
    if not permissions.is_holder(user, challenge):
        return []
    choices = []
    for action in service.open_actions(session, user, challenge):
        words = " ".join(action.post.body_source.split())
        if len(words) > 70:
            words = words[:69].rstrip() + "…"
        choices.append((action.id, f"Due {action.due_on:%-d %B %Y}: {words}"))
    return choices


def reply_form(session: Session, user: User, challenge: Challenge,
               formdata: Any = None) -> ChallengeReplyForm:
    """The reply form, offering the kinds ``user`` may post (the default chosen)."""
    form = ChallengeReplyForm() if formdata is not None else ChallengeReplyForm(formdata=None)
    form.offer(permissions.reply_kinds(user, challenge), action_choices(session, user, challenge))
    return form


def kind_items(form: ChallengeReplyForm) -> list[dict[str, Any]]:
    """A hint for each offered kind, in the order of the radios."""
    return [{"hint": {"text": KIND_HINTS[PostKind(choice.value)]}}
            for choice in form.kind.choices or []]


def thread_context(session: Session, user: User, challenge: Challenge,
                   views: list[Any]) -> dict[str, Any]:
    """Template values for a challenge's thread page; filters ``views`` by the kind asked."""
    filter_form = KindFilterForm(request.args)
    chosen = filter_form.chosen()
    if chosen is None:
        filter_form.kind.data = ""
    posts = [view.post for view in views if view.mode == "full"]
    form = reply_form(session, user, challenge)
    # Shown only once the challenge is closed (templates/challenges/_header.html): an open
    # one's page does not ask for it.
    summary = (service.closing_summary(session, user, challenge)
               if challenge.status == ChallengeStatus.CLOSED else None)
    return {
        "challenge": challenge,
        "closing_summary": summary,
        "closing_summary_tag": summary and service.threads.status_tag(summary.status),
        "kind_filter": filter_form,
        "chosen_kind": chosen,
        "post_details": service.post_details(session, posts),
        "challenge_form": form,
        "kind_items": kind_items(form),
        "outcome_labels": service.OUTCOME_LABELS,
    }
