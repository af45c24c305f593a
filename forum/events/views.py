"""Event pages: upcoming and past events, one event, publishing, signing up, materials."""

from __future__ import annotations

from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from forum import permissions
from forum.events import bp
from forum.events import service
from forum.events import topics
from forum.events.forms import CancelEventForm
from forum.events.forms import EventForm
from forum.events.forms import MaterialForm
from forum.events.forms import TopicForm
from forum.events.ics import calendar_file
from forum.extensions import db
from forum.files.limits import accepts_files
from forum.forms import ActionForm
from forum.forms import utc_span
from forum.models import Event
from forum.models import EventAudience
from forum.models import EventKind
from forum.models import EventMaterial
from forum.models import MaterialKind
from forum.models import utcnow
from forum.pagination import requested_page
from forum.times import FIRST_YEAR
from forum.times import LAST_YEAR
from forum.times import to_local
from forum.times import zone_name

MAX_ID = 2**31 - 1


def _load(event_id: int) -> Event:
    event = db.session.scalar(
        select(Event).options(
            selectinload(Event.sets),
            selectinload(Event.materials).selectinload(EventMaterial.files))
        .where(Event.id == event_id)) if 0 < event_id <= MAX_ID else None
    if event is None or not permissions.can_view_event(current_user, event):
        abort(404)
    return event


def _require_manager() -> None:
    if not permissions.can_manage_events(current_user):
        abort(403)


@bp.get("/events/")
def index():
    return render_template("events/index.html",
                           events=service.upcoming(db.session, current_user, utcnow()),
                           local=to_local, zone_name=zone_name,
                           can_manage=permissions.can_manage_events(current_user))


@bp.get("/events/archive")
def archive():
    # Whole, as the box shows it: a cut would list events matching only its start.
    title = "".join(c for c in request.args.get("q", "") if c >= " ").strip()
    kind_value = request.args.get("kind", "")
    kind = EventKind(kind_value) if kind_value in set(EventKind) else None
    year = request.args.get("year", type=int)
    now = utcnow()
    found = service.archive(db.session, current_user, now, title=title, kind=kind,
                            year=year if year and FIRST_YEAR <= year <= LAST_YEAR else None,
                            page=requested_page())
    return render_template("events/archive.html", found=found, q=title, kind=kind, year=year,
                           years=service.archive_years(db.session, current_user, now),
                           kinds=list(EventKind), local=to_local)


@bp.get("/events/<int:event_id>")
def show(event_id: int):
    return render_event(_load(event_id))


def render_event(event: Event, topic_form: TopicForm | None = None) -> str:
    """The event's page; ``topic_form`` carries a refused proposal back with its messages."""
    can_manage = permissions.can_manage_events(current_user)
    now = utcnow()
    can_propose = permissions.can_propose_topic(current_user, event, now)
    return render_template(
        "events/show.html", event=event, local=to_local, zone=zone_name(event.starts_at),
        attendance=service.attendance(db.session, event, current_user),
        can_sign_up=permissions.can_sign_up(current_user, event),
        is_past=event.ends_at < now, can_manage=can_manage,
        people=service.people_signed_up(db.session, event) if can_manage else [],
        action_form=ActionForm(formdata=None),
        has_topics=permissions.has_topics(event),
        topics_open=permissions.topics_open(event, now),
        topics=topics.topics_for(db.session, event, current_user, now),
        can_propose=can_propose, can_decide=permissions.can_decide_topics(current_user, event),
        topic_form=topic_form or (TopicForm(formdata=None) if can_propose else None),
        form=topic_form)


@bp.get("/events/<int:event_id>/calendar.ics")
def calendar(event_id: int):
    event = _load(event_id)
    response = Response(calendar_file(event), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="event-{event.id}.ics"'
    return response


def _set_choices() -> list[SelectChoice]:
    return [SelectChoice(s.id, s.name) for s in service.offered_sets(db.session, current_user)]


def _details(form: EventForm) -> service.EventDetails | None:
    """The form's event in UTC, or None with the time problem put on the form."""
    span = utc_span(form.day, form.starts, form.ends)
    if span is None:
        return None
    starts_at, ends_at = span
    chosen = set(form.sets.data or [])
    return service.EventDetails(
        kind=EventKind(form.kind.data), title=form.title.data, starts_at=starts_at,
        ends_at=ends_at, place=form.place.data or "", online_url=form.online_url.data or "",
        description=form.description.data or "", audience=EventAudience(form.audience.data),
        sets=[s for s in service.offered_sets(db.session, current_user) if s.id in chosen],
        signup_open=bool(form.signup_open.data), capacity=form.capacity.parsed)


@bp.route("/events/new", methods=["GET", "POST"])
@login_required
def new():
    _require_manager()
    form = EventForm()
    form.sets.choices = _set_choices()
    if form.validate_on_submit() and (details := _details(form)) is not None:
        event = service.create_event(db.session, current_user, details)
        db.session.commit()
        flash("The event has been published.", "success")
        return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", form=form, event=None)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def edit(event_id: int):
    event = _load(event_id)
    _require_manager()
    if request.method == "GET":
        starts, ends = to_local(event.starts_at), to_local(event.ends_at)
        form = EventForm(data={
            "kind": event.kind.value, "title": event.title,
            "day": starts.date().isoformat(), "starts": starts.strftime("%H:%M"),
            "ends": ends.strftime("%H:%M"), "place": event.place,
            "online_url": event.online_url, "description": event.description_source,
            "audience": event.audience.value, "sets": [s.id for s in event.sets],
            "signup_open": event.signup_open,
            "capacity": "" if event.capacity is None else str(event.capacity)})
    else:
        form = EventForm()
    form.sets.choices = _set_choices()
    form.kept_sets = len(service.unseen_sets(current_user, event))
    form.submit.label.text = "Save changes"
    if request.method == "GET":
        form.opened_with(event)
    if (form.validate_on_submit() and not form.changed_meanwhile(event)
            and (details := _details(form)) is not None):
        was_to_come = event.ends_at >= utcnow() and not event.is_cancelled
        changes = service.update_event(db.session, current_user, event, details)
        db.session.commit()
        flash(f"The event has been updated. People who signed up have been told of the new "
              f"{' and '.join(changes)}." if changes and was_to_come
              else "The event has been updated.", "success")
        return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", form=form, event=event)


@bp.route("/events/<int:event_id>/cancel-event", methods=["GET", "POST"])
@login_required
def cancel_event(event_id: int):
    """Call the event off, telling everyone who signed up (with an optional message)."""
    event = _load(event_id)
    _require_manager()
    if event.is_cancelled or event.ends_at < utcnow():
        flash("This event is cancelled already." if event.is_cancelled
              else "This event has already happened.", "info")
        return redirect(url_for("events.show", event_id=event.id))
    form = CancelEventForm()
    if form.validate_on_submit():
        service.cancel_event(db.session, current_user, event, form.message.data or "")
        db.session.commit()
        flash("The event is cancelled, and everyone who signed up has been told.", "success")
        return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/cancel_event.html", form=form, event=event, local=to_local,
                           told=len(service.people_signed_up(db.session, event)))


@bp.post("/events/<int:event_id>/sign-up")
@login_required
def sign_up(event_id: int):
    event = _load(event_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            status = service.sign_up(db.session, current_user, event)
        except service.NotAllowed:
            abort(403)
        except service.EventError as refused:
            db.session.rollback()
            flash(str(refused), "info")
        else:
            db.session.commit()
            flash("You have a place." if status == "place" else
                  "The event is full: you are on the waiting list, and will be told if a "
                  "place comes free.", "success")
    return redirect(url_for("events.show", event_id=event.id))


@bp.post("/events/<int:event_id>/cancel")
@login_required
def cancel(event_id: int):
    event = _load(event_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            service.cancel(db.session, current_user, event)
        except service.EventError as refused:
            db.session.rollback()
            flash(str(refused), "info")
        else:
            db.session.commit()
            flash("You are no longer signed up to this event.", "success")
    return redirect(url_for("events.show", event_id=event.id))


@bp.route("/events/<int:event_id>/materials/new", methods=["GET", "POST"])
@login_required
@accepts_files
def add_material(event_id: int):
    event = _load(event_id)
    _require_manager()
    form = MaterialForm()
    if form.validate_on_submit():
        service.add_material(db.session, current_user, event,
                             kind=MaterialKind(form.kind.data), title=form.title.data,
                             url=form.url.data or "", body=form.body.data or "",
                             uploads=form.upload.uploads)
        db.session.commit()
        flash("Added to the event's materials.", "success")
        return redirect(url_for("events.show", event_id=event.id) + "#materials")
    return render_template("events/material_form.html", form=form, event=event)
