"""The clienteling sections of a customer's profile, shared by the 360 page (the workspace app composes it with
orders) and by the htmx actions here that redraw one section (older events, a note, a task).

What a section shows is decided here once; the templates are clienteling/profile_parts.html's partials.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.nearest import nearest_store
from inventory.selectors import category_names
from omniportal.models import Location

from . import selectors
from .forms import NoteForm, TaskForm
from .models import ALWAYS_SHOWN, CONSENTED_SECTIONS, Customer, FollowUpTask
from .preferences import category_codes, preference_rows, size_rows
from .services import ClientelingError, followup_task_complete


def shown_sections(customer: Customer) -> list[str]:
    """What the profile shows: contact and orders always; the rest only with clienteling consent."""
    return ALWAYS_SHOWN + (CONSENTED_SECTIONS if customer.consent_clienteling else [])


def events_context(customer: Customer, cursor: tuple | None) -> dict[str, object]:
    """One page of the customer's browsing, with the link to the older page."""
    events, next_cursor = selectors.customer_events_page(customer=customer, before=cursor)
    older = None
    if next_cursor is not None:
        older = urlencode({"before": next_cursor[0].isoformat(), "before_id": next_cursor[1]})
    return {"events": events, "events_older": older, "events_is_first_page": cursor is None}


def notes_context(customer: Customer, form: NoteForm | None = None) -> dict[str, object]:
    return {"notes": selectors.customer_notes(customer=customer), "note_form": form or NoteForm()}


def tasks_context(request: HttpRequest, customer: Customer, form: TaskForm | None = None) -> dict[str, object]:
    """Open tasks at the person's stores, and the form to add one for a colleague of this store."""
    colleagues = selectors.store_colleagues(store=request.store or None)
    return {
        "tasks": selectors.customer_open_tasks(customer=customer, user=request.user),
        "task_form": form or TaskForm(colleagues=colleagues),
        "colleagues": colleagues,
        "today": timezone.localdate(),  # a task due before it is overdue, and says so
    }


def preferences_context(customer: Customer) -> dict[str, object]:
    """Sizes and preferences in words; the names of preferred categories cost one query, only when there are any."""
    names = category_names(codes=category_codes(customer))
    return {"sizes": size_rows(customer), "preferences": preference_rows(customer, names)}


def visits_context(customer: Customer) -> dict[str, object]:
    return {"visits": selectors.customer_recent_visits(customer=customer)}


def nearest_store_of(customer: Customer) -> tuple[Location, float | None] | None:
    """The customer's nearest store and its distance: as stored at ingestion, else worked out from their home."""
    if customer.nearest_store is not None:
        return customer.nearest_store, customer.nearest_store_km
    if customer.lat is None or customer.lon is None:
        return None
    return nearest_store(customer.lat, customer.lon)


def task_done(request: HttpRequest, task: FollowUpTask) -> None:
    """Mark a task done for the person (once: a second tap says it already is), and say so in a toast."""
    try:
        followup_task_complete(task=task, user=request.user)
    except ClientelingError as exc:
        messages.info(request, str(exc))
    else:
        messages.success(request, _("Task completed."))
