"""The layout every page shares: messages after an action, and the way past the header."""

from __future__ import annotations

import re


def test_each_message_banner_is_labelled_by_its_own_title(client, world):
    # Two messages at once (two refused pages before signing in, say) used to share one id,
    # so the second banner was labelled by the first one's title: invalid HTML.
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Your reply has been posted."),
                               ("message", "Sign in to see that page.")]

    body = client.get("/").get_data(as_text=True)

    labels = re.findall(r'class="govuk-notification-banner[^"]*"[^>]*aria-labelledby="([^"]+)"',
                        body)
    title_ids = re.findall(r'class="govuk-notification-banner__title" id="([^"]+)"', body)
    assert len(labels) == 2
    assert labels == title_ids
    assert len(set(title_ids)) == 2
