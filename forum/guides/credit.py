"""How a quoted excerpt is credited, and what a facilitator must resolve before it is published.

Credit never rises above the author's own choice; a post that can no longer be quoted (hidden,
withdrawn, deleted) is withheld; a post edited after it was quoted waits for the facilitator
to take the new text or keep the old. Pure rules over loaded rows: no queries, no writes.
"""

from __future__ import annotations

from forum import permissions
from forum.models import ANONYMOUS_CREDIT
from forum.models import CreditPreference
from forum.models import Guide
from forum.models import GuideExcerpt
from forum.models import Post
from forum.models import PostStatus
from forum.models import User

# Lowest first: a facilitator may move an excerpt's credit down this list, never up.
CREDIT_ORDER = (CreditPreference.ANONYMOUS, CreditPreference.ORGANISATION,
                CreditPreference.NAME_AND_ORGANISATION)
CREDIT_LABELS = {
    CreditPreference.NAME_AND_ORGANISATION: "name and organisation",
    CreditPreference.ORGANISATION: "organisation only",
    CreditPreference.ANONYMOUS: f"anonymously (“{ANONYMOUS_CREDIT}”)",
}


# --- credit and attention ------------------------------------------------

def credit_rank(preference: CreditPreference) -> int:
    return CREDIT_ORDER.index(preference)


def author_choice(post: Post | None) -> CreditPreference:
    """The author's own choice; anonymous when the author (or the post) is gone."""
    if post is None or post.author is None:
        return CreditPreference.ANONYMOUS
    return post.author.credit_preference or CreditPreference.ORGANISATION


def effective_credit(excerpt: GuideExcerpt) -> CreditPreference:
    """The lower of the author's choice and the facilitator's override."""
    choice = author_choice(excerpt.post)
    override = excerpt.credit_override
    if override is not None and credit_rank(override) < credit_rank(choice):
        return override
    return choice


def credit_for(author: User | None, preference: CreditPreference) -> str:
    if author is None or preference == CreditPreference.ANONYMOUS:
        return ANONYMOUS_CREDIT
    organisation = (author.organisation or "").strip()
    if preference == CreditPreference.NAME_AND_ORGANISATION:
        name = author.display_name.strip()
        return ", ".join(part for part in (name, organisation) if part) or ANONYMOUS_CREDIT
    return organisation or ANONYMOUS_CREDIT


def credit_text(excerpt: GuideExcerpt) -> str:
    """``"Sam Patel, Northbridge Borough Council"``, ``"Northbridge Borough Council"`` or
    ``"A participant"``."""
    post = excerpt.post
    return credit_for(post.author if post is not None else None, effective_credit(excerpt))


def credited_organisation(excerpt: GuideExcerpt) -> str | None:
    """The organisation this excerpt shows in its credit, if any."""
    post = excerpt.post
    if post is None or post.author is None:
        return None
    if effective_credit(excerpt) == CreditPreference.ANONYMOUS:
        return None
    return (post.author.organisation or "").strip() or None


def post_attention_reason(post: Post | None) -> str | None:
    """Why a source post can no longer be quoted, or ``None`` when it can."""
    if post is None:
        return "The source post was deleted"
    if permissions.can_keep_quote(post):
        return None  # an author who deleted their account is credited anonymously
    if post.status == PostStatus.HIDDEN:
        return "The source post was hidden by a moderator"
    if post.status == PostStatus.WITHDRAWN:
        return "The source post was withdrawn by its author"
    return "The source post is no longer approved"


def approved_source(post: Post | None) -> str | None:
    """The post's current approved Markdown, or ``None`` when it has none to quote.

    The one place that says which text of a post a guide may take: never a waiting edit.
    """
    if post is None or not permissions.can_keep_quote(post):
        return None
    return post.body_source


def withheld_reason(excerpt: GuideExcerpt) -> str | None:
    """Why the excerpt's text must be left out of the preview and downloads, if it must."""
    return post_attention_reason(excerpt.post if excerpt.post_id is not None else None)


SOURCE_EDITED = "The post was edited after it was quoted"


def source_changed(excerpt: GuideExcerpt) -> bool:
    """Whether the post's approved text differs from the text this excerpt was taken from
    (and from any later text the facilitator already chose not to take)."""
    current = approved_source(excerpt.post if excerpt.post_id is not None else None)
    if current is None:
        return False
    return current.strip() not in {excerpt.quoted_source.strip(),
                                   (excerpt.reviewed_source or "").strip()}


def attention_reason(excerpt: GuideExcerpt) -> str | None:
    """``None`` when the excerpt can be published; otherwise what the facilitator must resolve."""
    withheld = withheld_reason(excerpt)
    if withheld:
        return withheld
    return SOURCE_EDITED if source_changed(excerpt) else None


def excerpt_body_html(excerpt: GuideExcerpt) -> str:
    """What the excerpt quotes: always its own copy (whole or trimmed), taken from the approved
    text at the time. A later edit of the post changes nothing until the facilitator takes it."""
    return excerpt.body_html


def needs_attention(excerpt: GuideExcerpt) -> bool:
    return attention_reason(excerpt) is not None


def excerpts_needing_attention(guide: Guide) -> list[GuideExcerpt]:
    return [e for s in guide.sections for e in s.excerpts if needs_attention(e)]


# --- whom a reply answers -------------------------------------------------

def quoted_excerpts(guide: Guide) -> dict[int, GuideExcerpt]:
    """The first excerpt of each post the guide quotes (and may show), by post id."""
    quoted: dict[int, GuideExcerpt] = {}
    for section in sorted(guide.sections, key=lambda s: s.position):
        for excerpt in sorted(section.excerpts, key=lambda e: e.position):
            if excerpt.post_id is not None and withheld_reason(excerpt) is None:
                quoted.setdefault(excerpt.post_id, excerpt)
    return quoted


def credit_line(excerpt: GuideExcerpt, quoted: dict[int, GuideExcerpt]) -> str:
    """The excerpt's credit, saying whom it answers when it is a reply to a post the guide
    also quotes: ``"Eastmoor District Council (in reply to A participant)"``. The answered
    post is credited as its own excerpt is, so nobody is named beyond their consent."""
    credit = credit_text(excerpt)
    post = excerpt.post
    if not excerpt.show_in_reply_to or post is None or post.parent_id is None:
        return credit
    answered = quoted.get(post.parent_id)
    if answered is None:
        return credit
    return f"{credit} (in reply to {credit_text(answered)})"
