from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from omniportal.access import manager_required, scope_to_stores, staff_required
from omniportal.middleware import access_store

from . import profile, selectors
from .forms import AccessLogForm, CustomerSearchForm, EventsCursorForm, NoteForm, TaskForm
from .models import AccessVia, Customer, FollowUpTask, ProfileSection
from .services import (
    ClientelingError,
    followup_task_create,
    note_create,
    profile_access_record,
)


def _customer_or_404(pk: int) -> Customer:
    return get_object_or_404(Customer, pk=pk, erased_at__isnull=True)


def _consented_customer_or_404(pk: int) -> Customer:
    """The customer behind a clienteling-only surface: without consent it does not exist for the portal."""
    customer = _customer_or_404(pk)
    if not customer.consent_clienteling:
        raise Http404("No clienteling consent.")
    return customer


@require_GET
@staff_required
def customer_search(request: HttpRequest) -> HttpResponse:
    form = CustomerSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    if form.is_valid() and form.cleaned_data["via"] == "scan" and query:
        scanned = selectors.customer_by_loyalty(loyalty_number=query)
        if scanned is not None:
            target = reverse("customer-detail", args=[scanned.pk]) + "?via=scan"
            if request.htmx:
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
    results = selectors.customers_search(query=query) if query else []
    context = {"form": form, "query": query, "results": results, "limit": selectors.SEARCH_LIMIT}
    if request.htmx:
        return render(request, "clienteling/customer_search.html#results", context)
    return render(request, "clienteling/customer_search.html", context)


@require_GET
@staff_required
def customer_events(request: HttpRequest, pk: int) -> HttpResponse:
    """The "older" page of recently viewed products (htmx); without JavaScript the profile shows it."""
    customer = _consented_customer_or_404(pk)
    form = EventsCursorForm(request.GET)
    cursor = form.cursor()
    if cursor is None:
        raise Http404("Bad cursor.")
    if not request.htmx:
        query = urlencode({"before": cursor[0].isoformat(), "before_id": cursor[1]})
        return redirect(reverse("customer-detail", args=[pk]) + f"?{query}#events")
    profile_access_record(
        user=request.user,
        store=access_store(request),
        customer=customer,
        via=AccessVia.PROFILE,
        shown=[ProfileSection.EVENTS],
    )
    context = {"customer": customer, **profile.events_context(customer, cursor)}
    return render(request, "clienteling/profile_parts.html#events", context)


def _back_to_profile(customer: Customer, anchor: str) -> HttpResponse:
    return redirect(reverse("customer-detail", args=[customer.pk]) + f"#{anchor}")


@require_POST
@staff_required
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _consented_customer_or_404(pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note_create(
                customer=customer, author=request.user, store=request.store or None, body=form.cleaned_data["body"]
            )
        except ClientelingError as exc:
            messages.error(request, str(exc))
        else:
            form = NoteForm()
    if request.htmx:
        context = {"customer": customer, **profile.notes_context(customer, form)}
        return render(request, "clienteling/profile_parts.html#notes", context)
    if form.errors:
        messages.error(request, _("The note was not saved: write something first."))
    return _back_to_profile(customer, "notes")


def _tasks_response(request: HttpRequest, customer: Customer, form: TaskForm | None = None) -> HttpResponse:
    if request.htmx:
        context = {"customer": customer, **profile.tasks_context(request, customer, form)}
        return render(request, "clienteling/profile_parts.html#tasks", context)
    return _back_to_profile(customer, "tasks")


@require_POST
@staff_required
def task_add(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _consented_customer_or_404(pk)
    store = request.store or None
    form = TaskForm(request.POST, colleagues=selectors.store_colleagues(store=store))
    if store is None:
        messages.error(request, _("Choose a store first: tasks belong to a store."))
    elif form.is_valid():
        try:
            followup_task_create(
                customer=customer,
                store=store,
                title=form.cleaned_data["title"],
                created_by=request.user,
                assigned_to=form.cleaned_data["assigned_to"],
                due_on=form.cleaned_data["due_on"],
            )
        except ClientelingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Task created."))
            form = None
    else:
        messages.error(request, _("The task was not created: check the fields."))
    return _tasks_response(request, customer, form)


@require_POST
@staff_required
def task_complete(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    customer = _consented_customer_or_404(pk)
    task = get_object_or_404(scope_to_stores(FollowUpTask.objects.all(), request.user), pk=task_pk, customer=customer)
    profile.task_done(request, task)
    return _tasks_response(request, customer)


def _access_log_link(query: dict[str, str], cursor_name: str, cursor: tuple) -> str:
    at, pk = cursor
    return "?" + urlencode({**query, cursor_name: at.isoformat(), f"{cursor_name}_id": str(pk)})


@require_GET
@manager_required
def access_log(request: HttpRequest) -> HttpResponse:
    form = AccessLogForm(request.GET, people=selectors.access_log_people(user=request.user))
    form.is_valid()
    page = selectors.access_log_for_user(
        user=request.user, filters=form.filters(), before=form.cursor("before"), after=form.cursor("after")
    )
    # The filters as typed travel with the page links; the cursor is the link's own.
    query = {name: request.GET[name] for name in AccessLogForm.FILTER_FIELDS if request.GET.get(name)}
    context = {
        "form": form,
        "rows": [{"entry": entry, "sections": entry.shown_labels()} for entry in page.entries],
        "filtered": bool(query),
        "cursor_refused": form.cursor_refused(),
        "newer_url": _access_log_link(query, "after", page.newer) if page.newer else None,
        "older_url": _access_log_link(query, "before", page.older) if page.older else None,
    }
    if request.htmx:
        return render(request, "clienteling/access_log.html#entries", context)
    return render(request, "clienteling/access_log.html", context)
