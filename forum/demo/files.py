"""Demo uploads: the network conference's slides (a small PDF made here), a spreadsheet of
response rates attached to Claire's reply in the recruitment-letter thread, and the briefing
note Rosa attached to the demo set's last meeting."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.demo.meetings import PAST_TITLE
from forum.files.service import attach
from forum.files.service import prepare
from forum.files.storage import upload_storage
from forum.models import Event
from forum.models import EventKind
from forum.models import EventMaterial
from forum.models import MaterialKind
from forum.models import Meeting
from forum.models import Post
from forum.models import UploadedFile
from forum.models import User
from forum.text import render_markdown

SLIDES_TITLE = "Slides: what assemblies changed"
SLIDES = [
    ("What assemblies changed", ["Deliberative democracy in local government",
                                 "The network's annual conference, Manchester Central"]),
    ("Three councils, three assemblies", ["Climate: 50 residents, 6 weekends, 27 recommendations",
                                          "Transport: 40 residents, online and in person",
                                          "Budget priorities: a jury of 24"]),
    ("What changed", ["A formal response within three months, in public",
                      "Recommendations in the corporate plan",
                      "Councillors who observed became champions"]),
    ("What we would do differently", ["Brief every group leader before the first weekend",
                                      "Pay members and cover care costs from the start",
                                      "Report back in person, not only online"]),
]
RATES_NAME = "response-rates-pilot-and-main-mailing.csv"
RATES = (
    b"mailing,letters sent,replies,response rate\n"
    b"Pilot (two-page letter),2000,42,2.1%\n"
    b"Main mailing (one page; payment in bold),10000,340,3.4%\n"
    b"Reminder postcard,6000,61,1.0%\n"
)

BRIEFING_NAME = "Briefing group leaders - a one-page note.pdf"
BRIEFING = [
    ("Briefing group leaders", ["From set meeting 3: what worked in three councils",
                                "One leader at a time, before anything is public",
                                "Say what the assembly will and will not decide",
                                "Offer two observer places per group"]),
]


def _text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def slides_pdf(slides: list[tuple[str, list[str]]]) -> bytes:
    """A plain landscape PDF, a page per slide (Helvetica, no fonts embedded)."""
    objects: list[bytes] = []
    page_ids = [4 + 2 * i for i in range(len(slides))]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{n} 0 R" for n in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(slides)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                   b"/Encoding /WinAnsiEncoding >>")
    for index, (heading, points) in enumerate(slides):
        lines = [f"BT /F1 30 Tf 60 480 Td ({_text(heading)}) Tj ET"]
        for n, point in enumerate(points):
            lines.append(f"BT /F1 18 Tf 80 {400 - 40 * n} Td ({_text(point)}) Tj ET")
        stream = "\n".join(lines).encode("cp1252")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] "
                       f"/Resources << /Font << /F1 3 0 R >> >> "
                       f"/Contents {page_ids[index] + 1} 0 R >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream
                       + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


def ensure_demo_files(session: Session, users: dict[str, User]) -> int:
    """Add the demo's uploaded files where they are missing; returns how many were made."""
    storage = upload_storage()
    made = 0
    conference = session.scalar(select(Event).where(Event.kind == EventKind.CONFERENCE)
                                .order_by(Event.starts_at))
    if conference is not None and session.scalar(select(EventMaterial.id).where(
            EventMaterial.event_id == conference.id,
            EventMaterial.title == SLIDES_TITLE)) is None:
        note = "The opening plenary's slides (PDF)."
        material = EventMaterial(event=conference, kind=MaterialKind.FILE, title=SLIDES_TITLE,
                                 body_source=note, body_html=render_markdown(note),
                                 added_by_id=users["admin"].id)
        attach(session, storage, users["admin"],
               prepare(slides_pdf(SLIDES), "What assemblies changed - slides.pdf"),
               material=material)
        made += 1
    claire = users["claire"]
    reply = session.scalar(select(Post).where(
        Post.author_id == claire.id, Post.body_source.like("Our response rate went from%")))
    if reply is not None and session.scalar(select(UploadedFile.id).where(
            UploadedFile.post_id == reply.id)) is None:
        attach(session, storage, claire, prepare(RATES, RATES_NAME), post=reply)
        made += 1
    meeting = session.scalar(select(Meeting).where(Meeting.title == PAST_TITLE))
    if meeting is not None and session.scalar(select(UploadedFile.id).where(
            UploadedFile.meeting_id == meeting.id)) is None:
        attach(session, storage, users["rosa"], prepare(slides_pdf(BRIEFING), BRIEFING_NAME),
               meeting=meeting)
        made += 1
    session.flush()
    return made
