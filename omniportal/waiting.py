"""Rows that arrive before the row they refer to, and the one way they are linked when it arrives.

The integration API never refuses an event, a cart, a visit, a till sale or an online order because its customer
or its SKU is not known yet (SPEC section 3): the row keeps the external key (`customer_external_id`, `sku`) with
its foreign key empty. When the customer or the product arrives, every such row is linked.

The app that owns the arriving row offers a `WaitingRows` (clienteling for customers, inventory for products);
each app with waiting rows registers its models there, in its AppConfig.ready(). The owner links them all in one
call and never names the apps above it.

Each registered model must have a partial index on the key whose condition is "the link is empty" (and, for text
keys, "the key is not empty"): the UPDATE spells that condition out so that PostgreSQL uses the index instead of
walking a 20M-row table (clienteling/tests/test_link_pending_plans.py checks the plans).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model, OuterRef, Q, Subquery


@dataclass(frozen=True)
class WaitingModel:
    model: type[Model]
    link: str  # the foreign key that is empty while the row waits ("customer")
    key: str  # the external key it waits on ("customer_external_id")


class WaitingRows:
    """Waiting rows of every app for one kind of arriving row (`target`, found by `target_key`)."""

    def __init__(self, *, target: type[Model], target_key: str, linkable: Q | None = None) -> None:
        self.target = target
        self.target_key = target_key
        self.linkable = linkable or Q()  # which targets rows may be linked to (not an erased customer)
        self._models: dict[type[Model], WaitingModel] = {}

    def register(self, model: type[Model], *, link: str, key: str) -> None:
        """`model`'s rows wait for a `target` through the empty foreign key `link` and the external key `key`."""
        self._models[model] = WaitingModel(model, link, key)

    @property
    def models(self) -> list[WaitingModel]:
        return list(self._models.values())

    def link(self, keys: list[str]) -> None:
        """Link every registered row waiting for one of `keys` (the targets just created) to its target."""
        if not keys:
            return
        for waiting in self._models.values():
            target_id = Subquery(
                self.target.objects.filter(self.linkable, **{self.target_key: OuterRef(waiting.key)}).values("id")[:1]
            )
            # Spelled as the partial "unlinked" indexes' condition, or PostgreSQL cannot use them.
            waiting.model.objects.filter(**{f"{waiting.link}__isnull": True, f"{waiting.key}__any": keys}).exclude(
                **{waiting.key: ""}
            ).update(**{f"{waiting.link}_id": target_id})
