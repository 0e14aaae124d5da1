"""Head office's admin for the catalogue, stock and the geography tables."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from omniportal.admin_kit import ReadOnlyAdmin
from omniportal.text import fold

from .models import Category, City, CityAlias, PostalCode, Product, StockLevel, StockMovement


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    # Django 6 will assume https for a scheme-less URL; say so now (and no deprecation warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["sku", "name", "brand", "category", "price", "currency", "barcode", "active"]
    list_filter = ["active", "category", "currency"]
    search_fields = ["sku", "barcode", "search_text"]
    list_select_related = ["category"]
    readonly_fields = ["search_text", "updated_at"]

    def save_model(self, request: HttpRequest, obj: Product, form, change: bool) -> None:
        # The same search key the integrations write, so an admin edit is findable on the tablet.
        obj.search_text = fold(f"{obj.sku} {obj.name} {obj.brand}")[:500]
        super().save_model(request, obj, form, change)


class StockMovementInline(admin.TabularInline):
    model = StockMovement
    fields = ["occurred_at", "kind", "on_hand_delta", "reserved_delta", "reference"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["-occurred_at"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).order_by("-occurred_at", "-pk")


@admin.register(StockLevel)
class StockLevelAdmin(admin.ModelAdmin):
    """on_hand belongs to the stock feed and reserved to open orders: only the safety stock is edited here."""

    list_display = ["product", "location", "on_hand", "reserved", "safety_stock", "as_of"]
    list_filter = ["location__kind", "location"]
    search_fields = ["product__sku", "product__barcode", "location__code"]
    list_select_related = ["product", "location"]
    raw_id_fields = ["product", "location"]
    readonly_fields = ["product", "location", "on_hand", "reserved", "as_of"]
    inlines = [StockMovementInline]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "kind", "stock", "on_hand_delta", "reserved_delta", "reference"]
    list_filter = ["kind"]
    search_fields = ["reference", "stock__product__sku", "stock__location__code"]
    list_select_related = ["stock"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False


@admin.register(PostalCode)
class PostalCodeAdmin(admin.ModelAdmin):
    list_display = ["country", "postal_code", "place_name", "lat", "lon"]
    list_filter = ["country"]
    search_fields = ["postal_code", "place_name"]
    show_full_result_count = False


class CityAliasInline(admin.TabularInline):
    """Read-only: load_geodata rewrites the alternate names from GeoNames on every run."""

    model = CityAlias
    fields = ["name"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["name"]


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "population", "lat", "lon", "geoname_id"]
    list_filter = ["country"]
    search_fields = ["name", "name_key"]
    show_full_result_count = False
    inlines = [CityAliasInline]


from . import admin_import  # noqa: E402,F401  (CSV upload page, owned by the API engineer)
