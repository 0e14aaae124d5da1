"""Admin for orders, in-store sales and baskets.

Orders are written by the services only: the admin reads them, moves them through `order_transition`
and, for head office, places unlocated orders by hand through `order_set_location`.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from omniportal.access import is_head_office

from .models import Basket, BasketLine, LocationSource, Order, OrderLine, OrderStatus, OrderStatusChange, Sale, SaleLine
from .services.errors import OrderError
from .services.lifecycle import order_set_location, order_transition


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class OrderLineInline(_ReadOnlyInline):
    model = OrderLine
    fields = [
        "sku",
        "quantity",
        "unit_price",
        "discount",
        "source",
        "reserved_quantity",
        "shipped_quantity",
        "cancelled_quantity",
        "returned_quantity",
    ]
    readonly_fields = fields


class StatusChangeInline(_ReadOnlyInline):
    model = OrderStatusChange
    fields = ["occurred_at", "from_status", "to_status", "actor", "actor_label", "lines", "note"]
    readonly_fields = fields


class SetLocationForm(forms.Form):
    lat = forms.FloatField(label=gettext_lazy("Latitude"), min_value=-90, max_value=90)
    lon = forms.FloatField(label=gettext_lazy("Longitude"), min_value=-180, max_value=180)


def _move_action(status: str, label: str):
    def action(modeladmin: OrderAdmin, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        moved, refused = 0, []
        for order in queryset:
            try:
                order_transition(order=order, to_status=status, actor=request.user)
            except OrderError as exc:
                refused.append(f"{order.number}: {exc}")
            else:
                moved += 1
        if moved:
            modeladmin.message_user(request, _("%(n)s order(s) moved.") % {"n": moved}, messages.SUCCESS)
        for message in refused[:20]:
            modeladmin.message_user(request, message, messages.ERROR)

    action.__name__ = f"mark_{status}"
    return admin.action(description=label)(action)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    # Django 6 will assume https for a scheme-less URL; say so now (and no deprecation warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "number",
        "external_id",
        "channel",
        "status",
        "delivery_method",
        "selling_store",
        "pickup_store",
        "location_source",
        "placed_at",
    ]
    list_filter = ["status", "channel", "delivery_method", "location_source", "selling_store"]
    search_fields = [
        "number",
        "external_id",
        "customer_external_id",
        "delivery_postal_code",
        "delivery_city",
        "till_receipt",
    ]
    list_select_related = ["selling_store", "pickup_store"]
    date_hierarchy = "placed_at"
    show_full_result_count = False
    inlines = [OrderLineInline, StatusChangeInline]
    exclude = ["tracking_token"]
    raw_id_fields = ["customer", "placed_by"]
    actions = [
        _move_action(OrderStatus.SHIPPED, gettext_lazy("Mark selected orders shipped")),
        _move_action(OrderStatus.DELIVERED, gettext_lazy("Mark selected orders delivered")),
        _move_action(OrderStatus.CANCELLED, gettext_lazy("Cancel selected orders (releases stock)")),
        "set_location",
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Order | None = None) -> list[str]:
        return [f.name for f in Order._meta.fields if f.name != "tracking_token"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Set the delivery location by hand"))
    def set_location(self, request: HttpRequest, queryset: QuerySet[Order]) -> HttpResponse | None:
        order = queryset.order_by("pk").first()
        if order is None:
            return None
        return redirect("admin:orders_order_set_location", order.pk)

    def get_urls(self):
        return [
            path(
                "unlocated/",
                self.admin_site.admin_view(self.unlocated_view),
                name="orders_order_unlocated",
            ),
            path(
                "<int:pk>/set-location/",
                self.admin_site.admin_view(self.set_location_view),
                name="orders_order_set_location",
            ),
            *super().get_urls(),
        ]

    def unlocated_view(self, request: HttpRequest) -> HttpResponse:
        url = reverse("admin:orders_order_changelist")
        return redirect(f"{url}?location_source__exact={LocationSource.UNLOCATED}")

    def set_location_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not is_head_office(request.user):
            raise PermissionDenied
        order = get_object_or_404(Order, pk=pk)
        form = SetLocationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                order_set_location(
                    order=order, lat=form.cleaned_data["lat"], lon=form.cleaned_data["lon"], actor=request.user
                )
            except OrderError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(
                    request, _("%(number)s located by hand.") % {"number": order.number}, messages.SUCCESS
                )
                return redirect(f"{reverse('admin:orders_order_changelist')}?location_source__exact=unlocated")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Set the delivery location of %(number)s") % {"number": order.number},
            "order": order,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "orders/admin/set_location.html", context)


class SaleLineInline(_ReadOnlyInline):
    model = SaleLine
    fields = ["sku", "quantity", "unit_price"]
    readonly_fields = fields


@admin.register(Sale)
class SaleAdmin(admin.ModelAdmin):
    list_display = ["external_id", "store", "sold_at", "total", "currency", "customer_external_id", "loyalty_number"]
    list_filter = ["store"]
    search_fields = ["external_id", "customer_external_id", "loyalty_number"]
    list_select_related = ["store"]
    date_hierarchy = "sold_at"
    raw_id_fields = ["customer"]
    inlines = [SaleLineInline]
    show_full_result_count = False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class BasketLineInline(_ReadOnlyInline):
    model = BasketLine
    fields = ["product", "quantity", "source"]
    readonly_fields = fields


@admin.register(Basket)
class BasketAdmin(admin.ModelAdmin):
    list_display = ["pk", "customer", "store", "status", "created_by", "order", "updated_at"]
    list_filter = ["status", "store"]
    search_fields = ["customer__last_name", "customer__email", "order__number"]
    list_select_related = ["customer", "store", "created_by", "order"]
    raw_id_fields = ["customer", "from_cart", "order", "created_by"]
    inlines = [BasketLineInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
