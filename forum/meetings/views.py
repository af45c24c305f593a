"""Meeting pages: a set's meetings, one meeting with what it reviews, its .ics invitation,
and for facilitators scheduling, changing, cancelling and writing the notes."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from forum import permissions
from forum.calendar import CalendarEntry
from forum.calendar import calendar_file
from forum.errors import Refused
from forum.extensions import db
from forum.extensions import login_manager
from forum.files.limits import accepts_files
from forum.files.storage import upload_storage
from forum.forms import ActionForm
from forum.forms import utc_span
from forum.loading import load_visible_set
from forum.meetings import bp
from forum.meetings import service
from forum.meetings.forms import MeetingFilesForm
from forum.meetings.forms import MeetingForm
from forum.meetings.forms import NotesForm
from forum.models import LearningSet
from forum.models import Meeting
from forum.models import UploadedFile
from forum.models import utcnow
from forum.text import plain_text
from forum.times import DEFAULT_ZONE
from forum.times import to_local
from forum.times import zone_name

MAX_ID = 2**31 - 1


def _load(slug: str, meeting_id: int) -> Meeting:
    learning_set = load_visible_set(slug)
    meeting = db.session.get(Meeting, meeting_id) if 0 < meeting_id <= MAX_ID else None
    if (meeting is None or meeting.learning_set_id != learning_set.id
            or not permissions.can_view_meeting(current_user, meeting)):
        abort(404)
    return meeting


def _require_runner(learning_set: LearningSet) -> None:
    """Facilitators (and admins) only: the sign-in page for anonymous visitors (which keeps
    what a POST carried), for the set's other readers a 403 that says who may."""
    if permissions.can_run_meetings(current_user, learning_set):
        return
    if not permissions.is_signed_in(current_user):
        abort(make_response(login_manager.unauthorized()))
    raise Refused("Only the set’s facilitators can schedule its meetings, change them and add "
                  "their notes and files.",
                  ("See the set’s meetings", url_for("meetings.index", slug=learning_set.slug)))


def _show_url(meeting: Meeting, **kwargs) -> str:
    return url_for("meetings.show", slug=meeting.learning_set.slug, meeting_id=meeting.id,
                   **kwargs)


@bp.get("/sets/<slug>/meetings")
def index(slug: str):
    learning_set = load_visible_set(slug)
    found = service.set_meetings(db.session, current_user, learning_set, utcnow())
    return render_template("meetings/index.html", learning_set=learning_set, found=found,
                           local=to_local,
                           can_run=permissions.can_run_meetings(current_user, learning_set))


@bp.get("/sets/<slug>/meetings/<int:meeting_id>")
def show(slug: str, meeting_id: int):
    meeting = _load(slug, meeting_id)
    can_run = permissions.can_run_meetings(current_user, meeting.learning_set)
    return render_template(
        "meetings/show.html", meeting=meeting, learning_set=meeting.learning_set,
        local=to_local, zone=zone_name(meeting.starts_at, meeting.timezone),
        is_past=meeting.ends_at < utcnow(),
        actions=service.actions_due(db.session, current_user, meeting),
        challenges=service.challenges_in_progress(db.session, current_user, meeting),
        can_run=can_run)


@bp.get("/sets/<slug>/meetings/<int:meeting_id>/invitation.ics")
def calendar(slug: str, meeting_id: int):
    meeting = _load(slug, meeting_id)
    url = _show_url(meeting, _external=True)
    site_name = current_app.config["SITE_NAME"]
    body = calendar_file(CalendarEntry(
        uid=f"meeting-{meeting.id}@{urlsplit(url).hostname or 'localhost'}",
        stamp=meeting.created_at, sequence=meeting.sequence or 0,
        summary=f"{meeting.title} ({meeting.learning_set.name})",
        starts_at=meeting.starts_at, ends_at=meeting.ends_at, zone=meeting.timezone,
        location=", ".join(part for part in (meeting.place, meeting.online_url) if part),
        description=plain_text(meeting.agenda_html) if meeting.agenda_html else "", url=url,
        cancelled=meeting.cancelled_at is not None), product=f"{site_name}//Set meetings")
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="meeting-{meeting.id}.ics"'
    return response


def _details(form: MeetingForm) -> service.MeetingDetails | None:
    """The form's meeting in UTC, or None with the time problem put beside its field."""
    span = utc_span(form.day, form.starts, form.ends, DEFAULT_ZONE)
    if span is None:
        return None
    return service.MeetingDetails(
        title=form.title.data, starts_at=span[0], ends_at=span[1],
        online_url=form.online_url.data or "", place=form.place.data or "",
        agenda=form.agenda.data or "")


@bp.route("/sets/<slug>/meetings/new", methods=["GET", "POST"])
def new(slug: str):
    learning_set = load_visible_set(slug)
    _require_runner(learning_set)
    form = MeetingForm()
    if form.validate_on_submit() and (details := _details(form)) is not None:
        meeting = service.schedule(db.session, current_user, learning_set, details)
        db.session.commit()
        flash("The meeting is scheduled, and the set's members have been told.", "success")
        return redirect(_show_url(meeting))
    return render_template("meetings/form.html", form=form, learning_set=learning_set,
                           meeting=None, zone=DEFAULT_ZONE)


@bp.route("/sets/<slug>/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit(slug: str, meeting_id: int):
    meeting = _load(slug, meeting_id)
    _require_runner(meeting.learning_set)
    if meeting.cancelled_at is not None:
        flash("This meeting was cancelled, so it cannot be changed: schedule a new one.", "info")
        return redirect(_show_url(meeting))
    if request.method == "GET":
        starts = to_local(meeting.starts_at, meeting.timezone)
        ends = to_local(meeting.ends_at, meeting.timezone)
        form = MeetingForm(data={
            "title": meeting.title, "day": starts.date().isoformat(),
            "starts": starts.strftime("%H:%M"), "ends": ends.strftime("%H:%M"),
            "online_url": meeting.online_url, "place": meeting.place,
            "agenda": meeting.agenda_source})
    else:
        form = MeetingForm()
    form.submit.label.text = "Save changes"
    if request.method == "GET":
        form.opened_with(meeting)
    if (form.validate_on_submit() and not form.changed_meanwhile(meeting)
            and (details := _details(form)) is not None):
        moved = service.change(db.session, current_user, meeting, details)
        db.session.commit()
        flash("The meeting has moved, and the set's members have been told." if moved
              else "The meeting has been updated.", "success")
        return redirect(_show_url(meeting))
    return render_template("meetings/form.html", form=form, learning_set=meeting.learning_set,
                           meeting=meeting, zone=meeting.timezone)


@bp.route("/sets/<slug>/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
def cancel(slug: str, meeting_id: int):
    meeting = _load(slug, meeting_id)
    _require_runner(meeting.learning_set)
    form = ActionForm()
    if meeting.cancelled_at is None and form.validate_on_submit():
        service.cancel(db.session, current_user, meeting)
        db.session.commit()
        flash("The meeting is cancelled, and the set's members have been told.", "success")
        return redirect(_show_url(meeting))
    if meeting.cancelled_at is not None:
        return redirect(_show_url(meeting))
    return render_template("meetings/cancel.html", form=form, meeting=meeting,
                           learning_set=meeting.learning_set, local=to_local,
                           zone=zone_name(meeting.starts_at, meeting.timezone))


@bp.route("/sets/<slug>/meetings/<int:meeting_id>/notes", methods=["GET", "POST"])
def notes(slug: str, meeting_id: int):
    meeting = _load(slug, meeting_id)
    _require_runner(meeting.learning_set)
    form = (NotesForm() if request.method == "POST"
            else NotesForm(data={"notes": meeting.notes_source}))
    if request.method == "GET":
        form.opened_with(meeting)
    if form.validate_on_submit() and not form.changed_meanwhile(meeting):
        service.write_notes(db.session, current_user, meeting, form.notes.data or "")
        db.session.commit()
        flash("The notes are saved: the set's members can read them on the meeting's page.",
              "success")
        return redirect(_show_url(meeting, _anchor="notes"))
    return render_template("meetings/notes_form.html", form=form, meeting=meeting,
                           learning_set=meeting.learning_set, local=to_local,
                           zone=zone_name(meeting.starts_at, meeting.timezone))


@bp.route("/sets/<slug>/meetings/<int:meeting_id>/files/new", methods=["GET", "POST"])
@accepts_files
def add_files(slug: str, meeting_id: int):
    meeting = _load(slug, meeting_id)
    _require_runner(meeting.learning_set)
    form = MeetingFilesForm()
    if form.validate_on_submit():
        added = service.add_files(db.session, upload_storage(), current_user, meeting,
                                  form.files.uploads)
        db.session.commit()
        flash(f"{len(added)} file{'' if len(added) == 1 else 's'} added: the set's members can "
              "download them from this page.", "success")
        return redirect(_show_url(meeting, _anchor="files"))
    return render_template("meetings/files_form.html", form=form, meeting=meeting,
                           learning_set=meeting.learning_set, local=to_local,
                           zone=zone_name(meeting.starts_at, meeting.timezone))


@bp.post("/sets/<slug>/meetings/<int:meeting_id>/files/<int:file_id>/remove")
def remove_file(slug: str, meeting_id: int, file_id: int):
    meeting = _load(slug, meeting_id)
    _require_runner(meeting.learning_set)
    row = db.session.get(UploadedFile, file_id) if 0 < file_id <= MAX_ID else None
    if row is None or row.meeting_id != meeting.id:
        abort(404)
    if ActionForm().validate_on_submit():
        name = row.original_name
        service.remove_file(db.session, upload_storage(), current_user, meeting, row)
        db.session.commit()
        flash(f"“{name}” was removed.", "success")
    else:
        flash("Nothing was removed: the form had expired. Try again.", "info")
    return redirect(_show_url(meeting, _anchor="files"))
