"""The searchable pieces of a published guide's frozen document (also what the migration fills)."""

from forum.search.guides import entries_for

DOCUMENT = {
    "title": "Telling the story", "subtitle": "Lessons",
    "introduction_html": "<p>Why <em>we</em> wrote</p>",
    "sections": [{"title": "Naming", "anchor": "naming", "introduction_html": "",
                  "excerpts": [{"body_html": "<p>Panel &amp; jury</p>", "credit": "Mo Member",
                                "editorial_note_html": None, "post_id": 7},
                               {"body_html": "<p>Gone</p>", "credit": "Someone", "post_id": 8}]}],
}


def test_a_version_becomes_its_title_sections_and_excerpts_as_plain_text():
    rows = entries_for(3, 5, DOCUMENT, existing_posts={7})
    assert [(row["anchor"], row["post_id"], row["text"]) for row in rows] == [
        ("", None, "Telling the story Lessons Why we wrote"),
        ("naming", None, "Naming"),
        ("naming", 7, "Panel & jury Mo Member"),
    ]
    assert {(row["guide_id"], row["version_id"]) for row in rows} == {(3, 5)}


def test_an_excerpt_whose_post_is_gone_is_left_out():
    assert all("Gone" not in row["text"] for row in entries_for(3, 5, DOCUMENT, set()))
