"""Daily facts behind the omnichannel insight report (SPEC 2.6).

The report never scans carts, sales or events: a nightly job (insights.tasks) folds each day into these
small tables with a few set-based statements, and the page sums them. Definitions live in docs/insights.md.

The tables keep the names they had when the facts lived in clienteling (`db_table`): moving the models to
this app changed Django's state only (migration insights 0001).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DistanceBand(models.IntegerChoices):
    """Distance from the customer's home to the nearest store; lower edge inclusive, upper edge exclusive."""

    NEAR = 0, _("0–5 km")
    TOWN = 1, _("5–15 km")
    REGION = 2, _("15–50 km")
    FAR = 3, _("50+ km")
    UNKNOWN = 9, _("Unknown distance")


class InsightDay(models.Model):
    """One row per day whose facts exist: when and how they were built, so the page can say how fresh it is."""

    day = models.DateField(_("day"), unique=True)
    rebuilt_at = models.DateTimeField(_("rebuilt at"))
    # "Now" for the 24-hour abandonment rule when the day was built.
    as_of = models.DateTimeField(_("as of"))
    seconds = models.FloatField(_("build time (s)"))
    # settings.ROPO_WINDOW_DAYS when the day was built: the window of the precomputed default-window sums.
    window_days = models.PositiveSmallIntegerField(_("default window (days)"), default=14)
    # The currencies of the amounts summed into the day's facts, comma-separated ("EUR"): the sums add amounts
    # as recorded, without conversion, so the page prints a currency only when the period has exactly one.
    # Empty when the day had no amounts; NULL when the day was built before currencies were recorded.
    currencies = models.CharField(_("currencies"), max_length=255, null=True, blank=True)

    class Meta:
        db_table = "clienteling_insightday"
        verbose_name = _("insight day")
        verbose_name_plural = _("insight days")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day} ({self.rebuilt_at:%Y-%m-%d %H:%M})"


def _one_row_per(*fields: str, name: str) -> list[models.UniqueConstraint]:
    """Unique per day × store × …, also for the store-less row (NULLs are distinct in a plain unique index)."""
    return [
        models.UniqueConstraint(fields=["day", "store", *fields], condition=Q(store__isnull=False), name=name),
        models.UniqueConstraint(fields=["day", *fields], condition=Q(store__isnull=True), name=f"{name}_nostore"),
    ]


class CartDayFact(models.Model):
    """Online carts last updated on `day`, by the customer's nearest store and distance band."""

    day = models.DateField()
    # The customer's nearest store; NULL for anonymous carts and customers without coordinates.
    store = models.ForeignKey("omniportal.Location", on_delete=models.CASCADE, null=True, related_name="+")
    band = models.PositiveSmallIntegerField(choices=DistanceBand.choices)
    carts = models.PositiveIntegerField(default=0)
    ordered = models.PositiveIntegerField(default=0)
    abandoned = models.PositiveIntegerField(default=0)
    # Abandoned carts whose customer is known: the only ones a store purchase can follow (ROPO denominator).
    abandoned_known = models.PositiveIntegerField(default=0)
    abandoned_value = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    # RopoDayFact summed up to the default window (InsightDay.window_days): the default report reads these
    # instead of the lag rows (docs/performance.md, "Omnichannel insight").
    ropo_carts = models.PositiveIntegerField(default=0)
    ropo_revenue = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))

    class Meta:
        db_table = "clienteling_cartdayfact"
        verbose_name = _("cart day fact")
        verbose_name_plural = _("cart day facts")
        constraints = _one_row_per("band", name="cartfact_unique")
        indexes = [models.Index(fields=["day", "store"], name="cartfact_day_store")]

    def __str__(self) -> str:
        return f"{self.day} {self.store_id} band {self.band}: {self.carts} carts"


class RopoDayFact(models.Model):
    """Abandoned carts of `day` followed by an in-store purchase of a cart SKU `lag_days` calendar days later.

    `carts` counts each cart once, at the lag of its first such purchase; `revenue` counts each sale line once,
    at its lag from the latest abandoned cart that held its SKU. Summing lag_days <= N gives the N-day window.
    """

    day = models.DateField()
    store = models.ForeignKey("omniportal.Location", on_delete=models.CASCADE, null=True, related_name="+")
    band = models.PositiveSmallIntegerField(choices=DistanceBand.choices)
    lag_days = models.PositiveSmallIntegerField()
    carts = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))

    class Meta:
        db_table = "clienteling_ropodayfact"
        verbose_name = _("ROPO day fact")
        verbose_name_plural = _("ROPO day facts")
        constraints = _one_row_per("band", "lag_days", name="ropofact_unique")
        indexes = [models.Index(fields=["day", "store"], name="ropofact_day_store")]

    def __str__(self) -> str:
        return f"{self.day} {self.store_id} band {self.band} +{self.lag_days}d: {self.carts} carts"


class StoreDayFact(models.Model):
    """A store's in-store sales on `day`, and the online orders placed that day credited to it."""

    day = models.DateField()
    store = models.ForeignKey("omniportal.Location", on_delete=models.CASCADE, related_name="+")
    sales_revenue = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    credited_orders = models.PositiveIntegerField(default=0)
    credited_amount = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    # InfluenceDayFact summed up to the default window (InsightDay.window_days).
    influenced_revenue = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))

    class Meta:
        db_table = "clienteling_storedayfact"
        verbose_name = _("store day fact")
        verbose_name_plural = _("store day facts")
        constraints = [models.UniqueConstraint(fields=["day", "store"], name="storefact_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.store_id}: {self.sales_revenue}"


class InfluenceDayFact(models.Model):
    """In-store revenue on `day` whose SKU the same customer touched online `lag_days` calendar days earlier."""

    day = models.DateField()
    store = models.ForeignKey("omniportal.Location", on_delete=models.CASCADE, related_name="+")
    lag_days = models.PositiveSmallIntegerField()
    revenue = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))

    class Meta:
        db_table = "clienteling_influencedayfact"
        verbose_name = _("influence day fact")
        verbose_name_plural = _("influence day facts")
        constraints = [models.UniqueConstraint(fields=["day", "store", "lag_days"], name="influencefact_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.store_id} +{self.lag_days}d: {self.revenue}"
