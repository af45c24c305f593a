"""Credit follows each member's consent in every export format, drafts and published versions.

An anonymous member's name and organisation appear in no file (HTML, Markdown, PDF, DOCX);
"A participant" does. A member credited by name is named; one whose credit the facilitator
lowered to anonymous is not.
"""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser

import docx
import pypdf
import pytest

from forum.extensions import db
from forum.guides import service
from forum.guides.compile import compile_guide
from forum.guides.compile import publish
from forum.guides.compile import version_document
from forum.guides.export import FORMATS
from forum.guides.export import export
from forum.models import CreditPreference
from tests import factories
from tests.functional.guide_helpers import build_guide_world


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _readable_text(format_name: str, data: bytes) -> str:
    """What a reader of the file sees, whitespace collapsed."""
    if format_name == "html":
        parser = _Text()
        parser.feed(data.decode("utf-8"))
        text = " ".join(parser.parts)
    elif format_name == "markdown":
        text = data.decode("utf-8")
    elif format_name == "pdf":
        reader = pypdf.PdfReader(io.BytesIO(data))
        text = "\n".join(page.extract_text() for page in reader.pages)
        text += " ".join(str(value) for value in (reader.metadata or {}).values())
    elif format_name == "odt":
        from odfdo import Document

        odt = Document(io.BytesIO(data))
        text = odt.body.text_recursive + " " + odt.meta.serialize().decode("utf-8")
    else:
        document = docx.Document(io.BytesIO(data))
        text = "\n".join(p.text for p in document.paragraphs)
        properties = document.core_properties
        text += f" {properties.author} {properties.title} {properties.last_modified_by}"
    return re.sub(r"\s+", " ", text)


def _everything(format_name: str, data: bytes) -> str:
    """Readable text plus every byte a program could find: markup, attributes, XML parts."""
    if format_name in ("docx", "odt"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            raw = " ".join(archive.read(name).decode("utf-8", "replace")
                           for name in archive.namelist())
    elif format_name == "pdf":
        raw = data.decode("latin-1")
    else:
        raw = data.decode("utf-8")
    return _readable_text(format_name, data) + " " + raw


@pytest.fixture
def consent_guide(app):
    """Draft and published documents of a guide quoting four members with different consent."""
    with app.app_context():
        gw = build_guide_world()
        # Chose to be named, but the facilitator lowered this excerpt to anonymous.
        lowered = factories.make_user(display_name="Lorna Lowered",
                                      organisation="Lowmarsh Borough Council",
                                      credit_preference=CreditPreference.NAME_AND_ORGANISATION)
        factories.add_member(lowered, gw.learning_set)
        lowered_post = factories.make_post(gw.thread, lowered, parent=gw.posts["opening"],
                                           body="We tested three names with a residents' panel.")
        section = service.add_section(db.session, gw.guide, title="Naming the assembly",
                                      introduction_source="What the name did for them.")
        for key in ("named", "org_only", "anonymous"):
            service.add_excerpt(db.session, section, gw.posts[key])
        service.add_excerpt(db.session, section, lowered_post,
                            credit_override=CreditPreference.ANONYMOUS)
        version = publish(db.session, gw.guide, by=gw.facilitator)
        db.session.commit()
        return {"draft": compile_guide(gw.guide), "published": version_document(version)}


ABSENT = ["Zelda Quiet", "Hiddenvale Parish Council",   # anonymous by choice
          "Lorna Lowered", "Lowmarsh Borough Council",   # lowered to anonymous
          "Olu Okafor"]                                  # organisation only: never named
PRESENT = ["A participant", "Sam Patel, Northbridge Borough Council",
           "Eastmoor District Council"]


@pytest.mark.parametrize("which", ["draft", "published"])
@pytest.mark.parametrize("format_name", list(FORMATS))
def test_every_format_credits_members_only_as_they_allow(consent_guide, which, format_name):
    data = export(consent_guide[which], format_name)
    readable = _readable_text(format_name, data)
    for text in PRESENT:
        assert text in readable, f"{text!r} missing from the {which} {format_name}"
    # Each anonymous excerpt is still there, credited to "A participant".
    assert readable.count("A participant") >= 2
    assert "Test it with residents first" in readable
    everything = _everything(format_name, data)
    for text in ABSENT:
        assert text not in everything, f"{text!r} leaked into the {which} {format_name}"


def test_contributing_organisations_list_only_those_allowed(consent_guide):
    for document in consent_guide.values():
        assert document.contributing_organisations == (
            "Eastmoor District Council", "Northbridge Borough Council")
        credits = [e.credit for s in document.sections for e in s.excerpts]
        assert credits == ["Sam Patel, Northbridge Borough Council", "Eastmoor District Council",
                           "A participant", "A participant"]
