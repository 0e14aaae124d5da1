from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clienteling.models import Customer
from inventory.models import Product
from omniportal.access import staff_required, store_required
from omniportal.models import Location

from . import basket_session, selectors
from .estimates import order_estimate
from .forms import AddressForm, BasketAddForm, BasketLineForm, PageForm, PlaceForm, TransitionForm
from .models import DeliveryMethod, Order, OrderStatus
from .parcels import ParcelState, order_parcels, parcels_estimate, plan_shipments, tracking_steps
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
from .totals import basket_totals, order_totals
from .transitions import allowed_moves

SHIPMENTS_PER_PAGE = 50


def _order_for_user(request: HttpRequest, number: str) -> Order:
    """The order if one of the user's stores sold it, hands it over or ships a line of it, else 404."""
    orders = selectors.orders_visible_to(user=request.user).select_related("customer", "selling_store", "pickup_store")
    return get_object_or_404(orders, number=number)


def _customer_or_404(pk: object) -> Customer:
    customer = _customer_or_none(pk)
    if customer is None:
        raise Http404("No such customer.")
    return customer


def _customer_or_none(pk: object) -> Customer | None:
    try:
        pk = int(pk)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    return Customer.objects.filter(pk=pk, erased_at__isnull=True).first()


def _order_new_url(customer: Customer, delivery: dict[str, str] | None = None) -> str:
    """The checkout of `customer`'s basket, keeping the delivery being chosen (`delivery`: AddressForm fields)."""
    return f"{reverse('order-new')}?{urlencode({'customer': customer.pk, **(delivery or {})})}"


def _gone(request: HttpRequest, message: str, target: str) -> HttpResponse:
    """A form post about something that is no longer there (a customer, a product, a basket line): say so on a page
    the person can go on from, never a bare 404."""
    messages.error(request, message)
    return redirect(target)


def _no_store(request: HttpRequest, customer: Customer | None = None) -> HttpResponse:
    """A write for a store from someone working for none (head office on the whole network): choose one first."""
    messages.info(request, _("Choose the store to work for."))
    back = _order_new_url(customer) if customer is not None else reverse("home")
    return redirect(f"{reverse('choose-store')}?{urlencode({'next': back})}")


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
    customer = _customer_or_none(pk)
    if customer is None:
        return _gone(request, _("This customer is no longer in the portal."), reverse("customer-search"))
    store = request.store or None
    if store is None:
        return _no_store(request, customer)
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
    customer = _customer_or_none(form.cleaned_data["customer"])
    if customer is None:
        return _gone(request, _("This customer is no longer in the portal."), reverse("customer-search"))
    sku = form.cleaned_data["sku"]
    product = Product.objects.filter(sku=sku).first()
    if product is None:
        search = f"{reverse('inventory-search')}?{urlencode({'q': sku})}"
        return _gone(request, _("%(sku)s is not in the catalogue any more.") % {"sku": sku}, search)
    store = request.store or None
    if store is None:
        return _no_store(request, customer)
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
    customer = _customer_or_none(form.cleaned_data["customer"])
    if customer is None:
        return _gone(request, _("This customer is no longer in the portal."), reverse("customer-search"))
    delivery = AddressForm(request.POST).query()  # the delivery being chosen stays chosen
    back = _order_new_url(customer, delivery)
    store = request.store or None
    if store is None:
        return _no_store(request, customer)
    basket = selectors.open_basket(customer=customer, store=store)
    if basket is None:
        return _gone(request, _("This basket is no longer open."), back)
    source_id = form.cleaned_data["source"]
    source: Location | None | bool = False
    if source_id is not None:
        source = None
        if source_id:
            source = (
                Location.objects.filter(pk=source_id, active=True)
                .filter(Q(ships_to_home=True) | Q(offers_pickup=True))
                .first()
            )
            if source is None:
                return _gone(request, _("That location cannot send this line; choose another."), back)
    try:
        basket_line_update(
            basket=basket, line_id=form.cleaned_data["line"], quantity=form.cleaned_data["quantity"], source=source
        )
    except OrderError as exc:
        messages.error(request, str(exc))
    return redirect(back)


@dataclass
class _Delivery:
    """The delivery being chosen at the checkout, as far as it is valid."""

    method: str = DeliveryMethod.HOME
    pickup_store: Location | None = None
    address: DeliveryAddress | None = None
    errors: dict[str, str] = field(default_factory=dict)  # field name → message


def _delivery(form: AddressForm, customer: Customer, stores: list[Location]) -> _Delivery:
    """What the (bound) form asks for; the pickup store must be one of `stores` (selectors.pickup_stores)."""
    if not form.is_valid():
        return _Delivery(errors={name: " ".join(errors) for name, errors in form.errors.items()})
    if form.is_pickup:
        pk = form.cleaned_data["pickup_store"]
        store = next((store for store in stores if store.pk == pk), None)
        errors = {} if store is not None else {"pickup_store": _("Choose a store that offers pickup.")}
        return _Delivery(DeliveryMethod.PICKUP, store, form.address(), errors)
    address = _address(form, customer)
    try:
        return _Delivery(DeliveryMethod.HOME, None, delivery_address_validate(address))
    except AddressInvalid as exc:
        return _Delivery(DeliveryMethod.HOME, None, address, exc.errors)


def _pickup_choices(form: AddressForm, customer: Customer, store: Location) -> list[Location]:
    """The pickup stores the form offers, with the one it asks for (selectors.pickup_stores checks it is one)."""
    chosen = form.cleaned_data.get("pickup_store") if form.is_valid() and form.is_pickup else None
    return selectors.pickup_stores(first=store, near=_home(customer), chosen=chosen)


def _home(customer: Customer) -> tuple[float, float] | None:
    return (customer.lat, customer.lon) if customer.lat is not None and customer.lon is not None else None


def _checkout_context(
    request: HttpRequest, customer: Customer, store: Location, form: AddressForm, *, place_form: PlaceForm | None
) -> dict:
    basket = selectors.open_basket(customer=customer, store=store)
    lines = list(basket.lines.select_related("product", "source").order_by("pk")) if basket else []
    stores = _pickup_choices(form, customer, store) if lines else []
    delivery = _delivery(form, customer, stores)
    plan = None
    if lines and delivery.address is not None and "pickup_store" not in delivery.errors:
        plan = basket_plan(basket=basket, address=delivery.address, lines=lines, pickup_store=delivery.pickup_store)
    shipments = plan_shipments(plan, pickup_store=delivery.pickup_store) if plan else []
    totals = basket_totals(lines)
    planned = {line.request.key: line for line in plan.lines} if plan else {}
    rows = [(line, planned.get(line.pk), totals.lines[line.pk]) for line in lines] if totals else []
    return {
        "customer": customer,
        "store": store,
        "basket": basket,
        "lines": lines,
        "plan": plan,
        "rows": rows,  # (basket line, its line of the plan or None, its amount)
        "shipments": shipments,
        "expected": order_estimate(shipment.estimate for shipment in shipments if shipment.estimate),
        "totals": totals,
        "form": form,
        "delivery": delivery,
        "delivery_query": form.query(),
        "pickup_stores": stores,
        "place_form": place_form,
        "address_errors": delivery.errors,
        "can_place": bool(plan) and not plan.short_lines and not delivery.errors,
    }


@require_GET
@staff_required
@store_required
def order_new(request: HttpRequest) -> HttpResponse:
    customer = _customer_or_404(request.GET.get("customer"))
    store = request.store
    basket_session.remember(request, customer)
    form = AddressForm(
        request.GET if "delivery" in request.GET or "line1" in request.GET else AddressForm.initial_for(customer)
    )
    context = _checkout_context(request, customer, store, form, place_form=None)
    return render(request, "orders/order_new.html", context)


@require_POST
@staff_required
def basket_place(request: HttpRequest) -> HttpResponse:
    customer = _customer_or_none(request.POST.get("customer"))
    if customer is None:
        return _gone(request, _("This customer is no longer in the portal."), reverse("customer-search"))
    store = request.store or None
    if store is None:
        return _no_store(request, customer)
    form = PlaceForm(request.POST)
    basket = selectors.open_basket(customer=customer, store=store)
    error = ""
    short = None
    delivery = _delivery(form, customer, _pickup_choices(form, customer, store))
    if basket is None:
        error = _("There is no open basket for this customer.")
    elif delivery.errors:
        error = _("Check the delivery: %(problems)s") % {"problems": " ".join(delivery.errors.values())}
    elif not form.is_valid():
        error = _("Check the delivery and the till receipt.")
    else:
        try:
            order = basket_checkout(
                basket=basket,
                address=delivery.address,
                till_receipt=form.cleaned_data["till_receipt"],
                actor=request.user,
                delivery_method=delivery.method,
                pickup_store=delivery.pickup_store,
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
    history = list(order.history.select_related("actor"))
    access = selectors.order_access(user=request.user, order=order)
    parcels = order_parcels(order=order, lines=lines, history=history, ship_from=access.ship_from)
    totals = order_totals(order, lines)
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "rows": [(line, totals.lines[line.pk]) for line in lines],
            "totals": totals,
            "has_discount": any(line.discount for line in lines),
            "has_returns": any(line.returned_quantity for line in lines),
            "parcels": parcels,
            "expected": parcels_estimate(parcels),
            "history": history,
            # Shipped is offered per parcel (the parcels the person sends), the other moves as buttons.
            "moves": [
                status
                for status, _label in OrderStatus.choices
                if status in access.moves
                and status != OrderStatus.SHIPPED
                # Once a parcel has left the order cannot be cancelled (order_transition says so): not offered.
                and not (status == OrderStatus.CANCELLED and any(line.shipped_quantity for line in lines))
            ],
            "can_return": OrderStatus.RETURNED in access.moves,
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
    """Public, for the customer: the brand, the order number, the items, the steps, the carrier's link and the
    expected delivery. Nothing personal: no name, address or email is even read from the database."""
    order = get_object_or_404(
        Order.objects.select_related("pickup_store").only(
            "number",
            "status",
            "delivery_method",
            "carrier",
            "tracking_number",
            "tracking_url",
            "placed_at",
            "tracking_token",
            "delivery_lat",  # for the estimate's distance only; never shown
            "delivery_lon",
            "pickup_store__name",
            "pickup_store__address_line1",
            "pickup_store__postal_code",
            "pickup_store__city",
        ),
        tracking_token=token,
    )
    lines = list(
        order.lines.select_related("product", "source")
        .only(
            "order_id",
            "sku",
            "quantity",
            "shipped_quantity",
            "source_id",
            "product__name",
            "product__image_url",
            "source__kind",
            "source__lat",
            "source__lon",
        )
        .order_by("pk")
    )
    history = list(
        order.history.only("order_id", "from_status", "to_status", "occurred_at", "lines", "note").order_by(
            "occurred_at", "pk"
        )
    )
    parcels = order_parcels(order=order, lines=lines, history=history, ship_from=set())
    steps = tracking_steps(order, history)
    response = render(
        request,
        "orders/track.html",
        {
            "order": order,
            "lines": lines,
            "steps": steps,
            "current": next((step for step in reversed(steps) if step.current), steps[-1]),
            "expected": parcels_estimate(parcels),
            "parcels_sent": sum(parcel.state == ParcelState.SHIPPED for parcel in parcels),
            "parcels": len(parcels),
            "brand_name": settings.BRAND_NAME,
        },
    )
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
@staff_required
@store_required
def pickup_queue(request: HttpRequest) -> HttpResponse:
    store = request.store
    now = timezone.now()
    ready = selectors.pickups_ready(
        store=store, overdue_before=now - timezone.timedelta(days=settings.PICKUP_HOLD_DAYS), with_lines=True
    )
    return render(
        request,
        "orders/pickups.html",
        {
            "store": store,
            "to_prepare": list(
                selectors.pickups_to_prepare(store=store).prefetch_related(selectors.lines_with_products())
            ),
            "ready": ready,
            "collected": list(selectors.pickups_collected(store=store, since=now - timezone.timedelta(days=7))),
            "hold_days": settings.PICKUP_HOLD_DAYS,
            "pickup": DeliveryMethod.PICKUP,
        },
    )


@require_GET
@staff_required
@store_required
def shipments(request: HttpRequest) -> HttpResponse:
    """This store's "to ship" list: placed orders with lines sourced here, oldest first."""
    store = request.store
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
