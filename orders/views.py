from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clienteling.models import Customer
from inventory.models import Product
from omniportal.access import staff_required
from omniportal.models import Location

from . import basket_session, selectors
from .forms import AddressForm, BasketAddForm, BasketLineForm, PageForm, PlaceForm, TransitionForm
from .models import DeliveryMethod, Order, OrderStatus
from .services.baskets import (
    basket_add,
    basket_checkout,
    basket_line_update,
    basket_open,
    basket_plan,
    basket_start_from_cart,
)
from .services.errors import AddressInvalid, AlreadyInStatus, OrderError, OrderShort
from .services.lifecycle import order_transition
from .services.placing import DeliveryAddress, delivery_address_validate
from .transitions import allowed_moves

SHIPMENTS_PER_PAGE = 50


def _order_for_user(request: HttpRequest, number: str) -> Order:
    """The order if one of the user's stores sold it, hands it over or ships a line of it, else 404."""
    orders = selectors.orders_visible_to(user=request.user).select_related("customer", "selling_store", "pickup_store")
    return get_object_or_404(orders, number=number)


def _customer_or_404(pk: object) -> Customer:
    try:
        pk = int(pk)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise Http404("No such customer.") from None
    if not 0 < pk < 2**63:
        raise Http404("No such customer.")
    return get_object_or_404(Customer, pk=pk, erased_at__isnull=True)


def _store_or_404(request: HttpRequest) -> Location:
    store = request.store or None
    if not store:
        raise Http404("This person works for no store.")
    return store


def _order_new_url(customer: Customer) -> str:
    return f"{reverse('order-new')}?customer={customer.pk}"


def _address(form: AddressForm, customer: Customer) -> DeliveryAddress:
    """The form's address; the customer's stored coordinates apply only while it is still their home address."""
    data = form.cleaned_data
    home = DeliveryAddress.from_customer(customer)
    unchanged = all(
        " ".join(str(data[key]).split()).casefold() == " ".join(getattr(home, key).split()).casefold()
        for key in ("line1", "postal_code", "city", "country")
    )
    if unchanged:
        return form.address(lat=customer.lat, lon=customer.lon)
    return form.address()


@require_POST
@staff_required
def basket_from_cart(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_or_404(pk)
    store = _store_or_404(request)
    try:
        basket_start_from_cart(customer=customer, store=store, actor=request.user)
    except OrderError as exc:
        messages.error(request, str(exc))
        return redirect("customer-detail", pk=customer.pk)
    return redirect(_order_new_url(customer))


@require_POST
@staff_required
def basket_add_view(request: HttpRequest) -> HttpResponse:
    form = BasketAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That could not be added to the basket."))
        return redirect("inventory-search")
    customer = _customer_or_404(form.cleaned_data["customer"])
    product = get_object_or_404(Product, sku=form.cleaned_data["sku"])
    store = _store_or_404(request)
    try:
        basket = basket_open(customer=customer, store=store, actor=request.user)
        basket_add(basket=basket, product=product, quantity=form.cleaned_data["quantity"] or 1)
    except OrderError as exc:
        messages.error(request, str(exc))
        return redirect("inventory-detail", sku=product.sku)
    messages.success(request, _("%(name)s added to the basket.") % {"name": product.name})
    return redirect(_order_new_url(customer))


@require_POST
@staff_required
def basket_line_view(request: HttpRequest) -> HttpResponse:
    form = BasketLineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That change could not be made."))
        return redirect("inventory-search")
    customer = _customer_or_404(form.cleaned_data["customer"])
    basket = selectors.open_basket(customer=customer, store=_store_or_404(request))
    if basket is None:
        raise Http404("No open basket.")
    source_id = form.cleaned_data["source"]
    source: Location | None | bool = False
    if source_id is not None:
        source = None
        if source_id:
            source = get_object_or_404(Location, pk=source_id, active=True, ships_to_home=True)
    try:
        basket_line_update(
            basket=basket, line_id=form.cleaned_data["line"], quantity=form.cleaned_data["quantity"], source=source
        )
    except OrderError as exc:
        messages.error(request, str(exc))
    return redirect(_order_new_url(customer))


def _checkout_context(
    request: HttpRequest, customer: Customer, store: Location, form: AddressForm, *, place_form: PlaceForm | None
) -> dict:
    basket = selectors.open_basket(customer=customer, store=store)
    lines = list(basket.lines.select_related("product", "source").order_by("pk")) if basket else []
    plan = None
    address_errors: dict[str, str] = {}
    if lines and form.is_valid():
        address = _address(form, customer)
        try:
            address = delivery_address_validate(address)
        except AddressInvalid as exc:
            address_errors = exc.errors
        plan = basket_plan(basket=basket, address=address, lines=lines)
    return {
        "customer": customer,
        "store": store,
        "basket": basket,
        "lines": lines,
        "plan": plan,
        "form": form,
        "place_form": place_form,
        "address_errors": address_errors,
    }


@require_GET
@staff_required
def order_new(request: HttpRequest) -> HttpResponse:
    customer = _customer_or_404(request.GET.get("customer"))
    store = _store_or_404(request)
    basket_session.remember(request, customer)
    form = AddressForm(request.GET if "line1" in request.GET else AddressForm.initial_for(customer))
    context = _checkout_context(request, customer, store, form, place_form=None)
    return render(request, "orders/order_new.html", context)


@require_POST
@staff_required
def basket_place(request: HttpRequest) -> HttpResponse:
    customer = _customer_or_404(request.POST.get("customer"))
    store = _store_or_404(request)
    form = PlaceForm(request.POST)
    basket = selectors.open_basket(customer=customer, store=store)
    error = ""
    short = None
    if basket is None:
        error = _("There is no open basket for this customer.")
    elif not form.is_valid():
        error = _("Check the address and the till receipt.")
    else:
        try:
            order = basket_checkout(
                basket=basket,
                address=_address(form, customer),
                till_receipt=form.cleaned_data["till_receipt"],
                actor=request.user,
            )
        except OrderShort as exc:
            error, short = str(exc), exc.short
        except OrderError as exc:
            error = str(exc)
        else:
            basket_session.forget(request)
            messages.success(request, _("Order %(number)s placed.") % {"number": order.number})
            return redirect("order-detail", number=order.number)
    context = _checkout_context(request, customer, store, form, place_form=form)
    context.update({"error": error, "short": short})
    return render(request, "orders/order_new.html", context, status=409 if short else 400)


def qr_svg(data: str, *, scale: int = 4) -> SafeString:
    """A QR code as inline SVG: segno draws only paths, so the markup is safe to inline."""
    return mark_safe(segno.make(data, error="m").svg_inline(scale=scale))


def _tracking_url(request: HttpRequest, order: Order) -> str:
    return request.build_absolute_uri(reverse("track", args=[order.tracking_token]))


@require_GET
@staff_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = _order_for_user(request, number)
    tracking_url = _tracking_url(request, order)
    lines = list(order.lines.select_related("product", "source").order_by("pk"))
    moves = selectors.order_access(user=request.user, order=order).moves
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "lines": lines,
            "history": list(order.history.select_related("actor")),
            "moves": [(status, label) for status, label in OrderStatus.choices if status in moves],
            "can_return": OrderStatus.RETURNED in moves,
            "can_ship": OrderStatus.SHIPPED in moves,
            "tracking_url": tracking_url,
            "tracking_qr": qr_svg(tracking_url),
        },
    )


@require_POST
@staff_required
def order_move(request: HttpRequest, number: str) -> HttpResponse:
    order = _order_for_user(request, number)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        if "to_status" in form.errors:
            messages.error(request, _("Choose a valid status."))
        else:
            for name, errors in form.errors.items():
                messages.error(request, f"{form.fields[name].label}: {' '.join(errors)}")
        return redirect("order-detail", number=order.number)
    access = selectors.order_access(user=request.user, order=order)
    to_status = form.cleaned_data["to_status"]
    ship_from = form.ship_from(access.ship_from) if to_status == OrderStatus.SHIPPED else None
    if to_status == OrderStatus.SHIPPED and not ship_from and to_status in allowed_moves(order):
        messages.error(request, _("This parcel is not yours to send: the location that holds it marks it shipped."))
        return redirect("order-detail", number=order.number)
    if to_status != OrderStatus.SHIPPED and to_status in allowed_moves(order) - access.moves:
        # A move the order allows but this person may not make; one it does not allow, the service says why.
        messages.error(request, _("This move is not yours to make on this order."))
        return redirect("order-detail", number=order.number)
    lines = None
    if form.cleaned_data["to_status"] == OrderStatus.RETURNED:
        lines = []
        for line in order.lines.order_by("pk"):
            raw = request.POST.get(f"return-{line.pk}", "").strip()
            if raw.isascii() and raw.isdigit() and int(raw) > 0:
                lines.append({"sku": line.sku, "quantity": min(int(raw), 10**6)})
    try:
        order_transition(
            order=order,
            to_status=form.cleaned_data["to_status"],
            occurred_at=timezone.now(),
            actor=request.user,
            lines=lines or None,
            tracking=form.tracking(),
            ship_from=ship_from,
        )
    except AlreadyInStatus as exc:  # a double tap, or a colleague made the same move first
        messages.info(request, str(exc))
    except OrderError as exc:
        messages.error(request, str(exc))
    else:
        order.refresh_from_db(fields=["status"])
        messages.success(request, _("The order is now %(status)s.") % {"status": order.get_status_display().lower()})
    target = request.POST.get("next")
    if target == "pickups":
        return redirect("pickup-queue")
    return redirect("order-detail", number=order.number)


@require_GET
def track(request: HttpRequest, token: str) -> HttpResponse:
    """Public: status and timeline only, nothing personal."""
    order = get_object_or_404(
        Order.objects.only(
            "number",
            "status",
            "delivery_method",
            "carrier",
            "tracking_number",
            "tracking_url",
            "placed_at",
            "tracking_token",
        ),
        tracking_token=token,
    )
    history = list(order.history.only("to_status", "occurred_at").order_by("occurred_at", "pk"))
    response = render(request, "orders/track.html", {"order": order, "history": history})
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
@staff_required
def pickup_queue(request: HttpRequest) -> HttpResponse:
    store = _store_or_404(request)
    now = timezone.now()
    ready = selectors.pickups_ready(
        store=store, overdue_before=now - timezone.timedelta(days=settings.PICKUP_HOLD_DAYS)
    )
    return render(
        request,
        "orders/pickups.html",
        {
            "store": store,
            "to_prepare": list(selectors.pickups_to_prepare(store=store)),
            "ready": ready,
            "collected": list(selectors.pickups_collected(store=store, since=now - timezone.timedelta(days=7))),
            "hold_days": settings.PICKUP_HOLD_DAYS,
            "pickup": DeliveryMethod.PICKUP,
        },
    )


@require_GET
@staff_required
def shipments(request: HttpRequest) -> HttpResponse:
    """This store's "to ship" list: placed orders with lines sourced here, oldest first."""
    store = _store_or_404(request)
    form = PageForm(request.GET)
    number = (form.cleaned_data["page"] if form.is_valid() else None) or 1
    page = Paginator(selectors.orders_to_ship_from(store=store), SHIPMENTS_PER_PAGE).get_page(number)
    url = reverse("shipments")
    return render(
        request,
        "orders/shipments.html",
        {
            "store": store,
            "page": page,
            "orders": list(page.object_list),
            "previous_url": f"{url}?page={page.previous_page_number()}" if page.has_previous() else None,
            "next_url": f"{url}?page={page.next_page_number()}" if page.has_next() else None,
        },
    )
