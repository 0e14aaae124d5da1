"""Head office's view of customers: search, filters, the access log (read-only) and GDPR actions."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from omniportal.access import is_head_office
from omniportal.admin_kit import ReadOnlyAdmin

from .models import (
    BrowsingEvent,
    Cart,
    CartLine,
    Customer,
    FollowUpTask,
    Note,
    ProfileAccess,
    Visit,
    WishlistItem,
)
from .services import ClientelingError, customer_erase, customer_export


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = [
        "full_name",
        "email",
        "phone",
        "loyalty_number",
        "loyalty_tier",
        "city",
        "consent_clienteling",
        "consent_marketing",
        "erased_at",
    ]
    list_filter = [
        "loyalty_tier",
        "consent_clienteling",
        "consent_marketing",
        "country",
        ("erased_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["search_name", "email", "phone_digits", "=loyalty_number", "=external_id"]
    readonly_fields = ["search_name", "phone_digits", "nearest_store", "nearest_store_km", "created_at", "erased_at"]
    list_select_related = False
    show_full_result_count = False
    actions = ["export_json", "erase_personal_data"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # orders and commissions keep their customer: erase instead

    @admin.display(description=gettext_lazy("name"), ordering="search_name")
    def full_name(self, obj: Customer) -> str:
        return obj.full_name

    @admin.action(description=gettext_lazy("Export data (JSON)"))
    def export_json(self, request: HttpRequest, queryset: QuerySet[Customer]) -> HttpResponse | None:
        if not is_head_office(request.user):
            raise PermissionDenied
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one customer to export."), messages.ERROR)
            return None
        customer = queryset.get()
        data = customer_export(customer=customer, actor=request.user)
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}.json"'
        return response

    @admin.action(description=gettext_lazy("Erase personal data"))
    def erase_personal_data(self, request: HttpRequest, queryset: QuerySet[Customer]) -> HttpResponse | None:
        if not is_head_office(request.user):
            raise PermissionDenied
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one customer to erase."), messages.ERROR)
            return None
        customer = queryset.get()
        if request.POST.get("confirm") == "yes":
            try:
                customer_erase(customer=customer, actor=request.user)
            except ClientelingError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, _("Personal data erased; orders and commissions are kept."))
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Erase personal data"),
            "customer": customer,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "counts": {
                _("browsing events"): customer.events.count(),
                _("online carts"): customer.carts.count(),
                _("wishlist items"): customer.wishlist.count(),
                _("notes"): customer.notes.count(),
                _("follow-up tasks"): customer.tasks.count(),
                _("visits"): customer.visits.count(),
            },
        }
        return TemplateResponse(request, "clienteling/admin/erase_confirm.html", context)


@admin.register(ProfileAccess)
class ProfileAccessAdmin(ReadOnlyAdmin):
    list_display = ["accessed_at", "user", "store", "customer", "via", "sections"]
    list_filter = ["via", "store", ("accessed_at", admin.DateFieldListFilter)]
    search_fields = ["user__username", "user__last_name", "customer__search_name", "=customer__loyalty_number"]
    list_select_related = ["user", "store", "customer"]
    date_hierarchy = "accessed_at"
    show_full_result_count = False

    @admin.display(description=gettext_lazy("shown"))
    def sections(self, obj: ProfileAccess) -> str:
        return ", ".join(obj.shown_labels())


@admin.register(BrowsingEvent)
class BrowsingEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "type", "customer", "sku", "query", "channel", "device"]
    list_filter = ["type", "channel"]
    search_fields = ["=event_id", "=session_id", "=customer_external_id", "=sku"]
    raw_id_fields = ["customer", "product"]
    list_select_related = ["customer"]
    show_full_result_count = False


class CartLineInline(admin.TabularInline):
    model = CartLine
    extra = 0
    raw_id_fields = ["product"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Cart)
class CartAdmin(ReadOnlyAdmin):
    list_display = ["cart_id", "customer", "status", "currency", "source_updated_at"]
    list_filter = ["status", "currency"]
    search_fields = ["=cart_id", "=customer_external_id", "=session_id"]
    raw_id_fields = ["customer"]
    list_select_related = ["customer"]
    inlines = [CartLineInline]


@admin.register(WishlistItem)
class WishlistItemAdmin(ReadOnlyAdmin):
    list_display = ["customer", "sku", "added_at"]
    search_fields = ["=sku", "customer__search_name"]
    raw_id_fields = ["customer", "product"]
    list_select_related = ["customer"]


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["seen_at", "store", "customer", "source"]
    list_filter = ["source", "store"]
    search_fields = ["=loyalty_number", "=customer_external_id", "customer__search_name"]
    raw_id_fields = ["customer"]
    list_select_related = ["store", "customer"]
    date_hierarchy = "seen_at"


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["created_at", "customer", "author", "store", "body"]
    list_filter = ["store"]
    search_fields = ["body", "customer__search_name", "author__username"]
    raw_id_fields = ["customer", "author"]
    list_select_related = ["customer", "author", "store"]


@admin.register(FollowUpTask)
class FollowUpTaskAdmin(admin.ModelAdmin):
    list_display = ["title", "customer", "store", "assigned_to", "due_on", "status", "reference", "created_at"]
    list_filter = ["status", "store"]
    search_fields = ["title", "=reference", "customer__search_name"]
    raw_id_fields = ["customer", "assigned_to", "created_by", "completed_by"]
    list_select_related = ["customer", "store", "assigned_to"]
    readonly_fields = ["reference", "created_at", "completed_at", "completed_by"]
