"""Today at my store and the customer 360: the pages that show several domains at once."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from clienteling import profile
from clienteling.forms import EventsCursorForm, ProfileViaForm
from clienteling.models import Customer, FollowUpTask
from clienteling.selectors import (
    customer_current_cart,
    customer_wishlist,
    customers_in_store_now,
    profile_lines,
    tasks_for_person,
)
from clienteling.services import profile_access_record
from omniportal.access import scope_to_stores, staff_required
from omniportal.middleware import access_store
from omniportal.models import Location
from orders.selectors import customer_orders, pickups_to_prepare

from .selectors import customer_for_profile, lifetime_value_of

TODAY_TASKS = 10


def _my_tasks(request: HttpRequest, store: Location | None) -> list[FollowUpTask]:
    return list(tasks_for_person(user=request.user, store=store)[:TODAY_TASKS]) if store else []


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    store = request.store or None
    context = {
        "store": store,
        # Head office works for the whole network until it picks a store: Today asks which one, not empty cards.
        "choose_store": store is None and request.stores.network,
        "in_store_now": customers_in_store_now(store=store) if store else [],
        "pickups": pickups_to_prepare(store=store)[:10] if store else [],
        "tasks": _my_tasks(request, store),
        "today": timezone.localdate(),
    }
    if request.htmx and request.GET.get("part") == "in-store-now":
        return render(request, "workspace/home.html#in-store-now", context)
    return render(request, "workspace/home.html", context)


@require_POST
@staff_required
def home_task_done(request: HttpRequest, task_pk: int) -> HttpResponse:
    """A task of Today's list marked done (once the page's 10-second undo has passed): the list without it, and
    a toast. The same tasks the list shows: at the person's stores, for a customer who still consents."""
    store = request.store or None
    tasks = FollowUpTask.objects.filter(customer__consent_clienteling=True, customer__erased_at__isnull=True)
    task = get_object_or_404(scope_to_stores(tasks, request.user), pk=task_pk)
    profile.task_done(request, task)
    if request.htmx:
        context = {"store": store, "tasks": _my_tasks(request, store), "today": timezone.localdate()}
        return render(request, "workspace/home.html#my-tasks", context)
    return redirect("home")


def _profile_context(request: HttpRequest, customer: Customer, cursor: tuple | None) -> dict[str, object]:
    context: dict[str, object] = {
        "customer": customer,
        "consented": customer.consent_clienteling,
        "orders": customer_orders(customer=customer, viewer=request.user),
        "store": request.store or None,
    }
    if not customer.consent_clienteling:
        return context
    cart = customer_current_cart(customer=customer)
    cart_lines, wishlist_lines = profile_lines(
        cart=cart, wishlist=customer_wishlist(customer=customer), store=request.store or None
    )
    context.update(
        **profile.events_context(customer, cursor),
        **profile.notes_context(customer),
        **profile.tasks_context(request, customer),
        **profile.preferences_context(customer),
        **profile.visits_context(customer),
        cart=cart,
        cart_lines=cart_lines,
        wishlist_lines=wishlist_lines,
        lifetime_value=lifetime_value_of(customer),
        basket_url=reverse("basket-from-cart", args=[customer.pk]) if cart_lines else None,
        nearest=profile.nearest_store_of(customer),
        shown=profile.shown_sections(customer),
    )
    return context


@require_GET
@staff_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_for_profile(pk=pk)
    if customer is None:
        raise Http404("No such customer.")
    via = ProfileViaForm(request.GET).cleaned_via()
    cursor_form = EventsCursorForm(request.GET) if "before" in request.GET else None
    cursor = cursor_form.cursor() if cursor_form is not None else None
    profile_access_record(
        user=request.user,
        store=access_store(request),
        customer=customer,
        via=via,
        shown=profile.shown_sections(customer),
    )
    return render(request, "workspace/customer_detail.html", _profile_context(request, customer, cursor))
