"""Reads about customers that more than one caller needs."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    DecimalField,
    F,
    Max,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Collate
from django.utils import timezone

from inventory.models import StockLevel, atp_expression
from omniportal.access import is_head_office, scope_to_stores, user_stores
from omniportal.models import Role
from omniportal.text import digits, fold_name

from .models import (
    BrowsingEvent,
    Cart,
    CartLine,
    CartStatus,
    Customer,
    FollowUpTask,
    Note,
    ProfileAccess,
    TaskStatus,
    Visit,
    WishlistItem,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from omniportal.models import Location

SEARCH_LIMIT = 20
EVENTS_PAGE_SIZE = 10
VISITS_SHOWN = 8
# Below this many characters a trigram index cannot help: take the exact/prefix path.
TRIGRAM_MIN_LENGTH = 3
_LOYALTY_SHAPE = re.compile(r"^[A-Za-z0-9-]{4,32}$")
_MONEY = DecimalField(max_digits=14, decimal_places=2)


def customers_in_store_now(*, store: Location, limit: int = 30) -> list[Customer]:
    """Customers with a visit at `store` in the last IN_STORE_NOW_HOURS, newest visit first."""
    since = timezone.now() - timedelta(hours=settings.IN_STORE_NOW_HOURS)
    return list(
        Customer.objects.filter(visits__store=store, visits__seen_at__gte=since, erased_at__isnull=True)
        .annotate(last_seen_at=Max("visits__seen_at"))
        .order_by("-last_seen_at", "pk")[:limit]
    )


def tasks_for_person(*, user: AbstractBaseUser, store: Location) -> QuerySet[FollowUpTask]:
    """Open tasks at `store` assigned to `user` or to nobody, soonest due first; none for a customer who has
    withdrawn consent or been erased since (their profile hides tasks, so none could be completed)."""
    return (
        FollowUpTask.objects.filter(
            store=store, status=TaskStatus.OPEN, customer__consent_clienteling=True, customer__erased_at__isnull=True
        )
        .filter(Q(assigned_to=user) | Q(assigned_to__isnull=True))
        .select_related("customer", "assigned_to")
        .order_by(F("due_on").asc(nulls_last=True), "created_at")
    )


# --- search -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchTerms:
    """What the associate typed, normalised once into each key the customer table is indexed by."""

    raw: str
    name_tokens: tuple[str, ...]
    email_fragment: str
    phone_digits: str
    loyalty_number: str

    @property
    def is_empty(self) -> bool:
        return not (self.name_tokens or self.email_fragment or self.phone_digits or self.loyalty_number)


def _without_implied(tokens: list[str]) -> tuple[str, ...]:
    """The name tokens without those another token implies: each token must begin some word of the name, so
    "be" adds nothing to "becker" ("Becker Be" finds what "Becker" finds). Kept, it also misleads PostgreSQL,
    which multiplies the two (wholly correlated) selectivities and plans for a handful of rows, not thousands.
    """
    kept: list[str] = []
    for token in sorted(set(tokens), key=len, reverse=True):
        if not any(longer.startswith(token) for longer in kept):
            kept.append(token)
    return tuple(token for token in dict.fromkeys(tokens) if token in kept)


def _name_tokens(raw: str) -> tuple[str, ...]:
    tokens = fold_name(raw).split()
    # Fewer than 3 characters match as one phrase prefix (customers_search), where every token counts.
    return tuple(tokens) if len(raw) < TRIGRAM_MIN_LENGTH else _without_implied(tokens)


def search_terms(query: str) -> SearchTerms:
    raw = query.strip()
    compact = re.sub(r"[\s()./-]+", "", raw)
    letters = any(ch.isalpha() for ch in raw)
    phone = ""
    if not letters and compact.lstrip("+").isdigit():
        phone = digits(compact)
        # International prefixes: "+39…" and "0039…" both mean country code 39, stored without prefix.
        if compact.startswith("00"):
            phone = phone[2:]
    return SearchTerms(
        raw=raw,
        name_tokens=_name_tokens(raw) if letters and "@" not in raw else (),
        email_fragment=raw.casefold() if letters and " " not in raw else "",
        phone_digits=phone,
        loyalty_number=raw.upper() if _LOYALTY_SHAPE.match(raw) and any(ch.isdigit() for ch in raw) else "",
    )


def _name_order() -> Collate | F:
    # Byte order, so the btree index on (search_name COLLATE "C", id) serves prefix match, ORDER BY and LIMIT.
    if connection.vendor == "postgresql":
        return Collate("search_name", "C")
    return F("search_name")


def _word_prefix(token: str) -> Q:
    return Q(search_name__startswith=token) | Q(search_name__contains=f" {token}")


def customer_by_loyalty(*, loyalty_number: str) -> Customer | None:
    """The customer whose loyalty card this is (exact match, case-insensitive), not erased."""
    number = loyalty_number.strip().upper()
    if not number or len(number) > 32:
        return None
    return Customer.objects.filter(loyalty_number=number, erased_at__isnull=True).first()


def _first_matches(condition: Q, *, limit: int, exclude: set[int]) -> list[Customer]:
    """The first `limit` matches in id order.

    Id order, not name order: ids are uncorrelated with names, so PostgreSQL either walks the primary key
    and meets `limit` matches early (common fragments) or, for rare ones, reads the few matches from the
    trigram indexes and sorts them. Name order would make a common fragment late in the alphabet walk
    most of the table.
    """
    rows = Customer.objects.filter(condition, erased_at__isnull=True).order_by("pk")[: limit + len(exclude)]
    return [customer for customer in rows if customer.pk not in exclude][:limit]


def customers_search(*, query: str, limit: int = SEARCH_LIMIT) -> list[Customer]:
    """Customers matching a name (words in any order, prefixes, accents ignored), an email fragment,
    phone digits in any format, or a loyalty number. At most `limit`: the loyalty card first, then
    word-prefix name matches and email/phone matches, then names containing the fragments mid-word.

    Every branch is answered by an index on PostgreSQL (trigram GIN or a btree), never a scan of the
    customer table: see migration 0003 and test_customers_search_postgres.
    """
    terms = search_terms(query)
    if terms.is_empty:
        return []
    found: list[Customer] = []
    if terms.loyalty_number:
        card = customer_by_loyalty(loyalty_number=terms.loyalty_number)
        if card is not None:
            return [card]  # a loyalty number is unique: the card says who it is
    seen = {customer.pk for customer in found}
    if len(terms.raw) < TRIGRAM_MIN_LENGTH:
        # One or two characters: a first-name (or phone) prefix in index order, nothing fuzzy.
        condition = Q(search_name__startswith=" ".join(terms.name_tokens)) if terms.name_tokens else Q()
        if terms.phone_digits:
            condition |= Q(phone_digits=terms.phone_digits)
        if condition:
            rows = Customer.objects.filter(condition, erased_at__isnull=True).order_by(_name_order(), "pk")
            found.extend(customer for customer in rows[: limit + len(seen)] if customer.pk not in seen)
        return found[:limit]
    condition = Q()
    if terms.name_tokens:
        word_match = Q()
        for token in terms.name_tokens:
            word_match &= _word_prefix(token)
        condition |= word_match
    if terms.email_fragment:
        condition |= Q(email__icontains=terms.email_fragment)
    if terms.phone_digits and len(terms.phone_digits) >= TRIGRAM_MIN_LENGTH:
        # Contains: "333 1234567" finds +39 333 1234567 whether or not the country code was typed.
        condition |= Q(phone_digits__contains=terms.phone_digits)
    if condition:
        found.extend(_first_matches(condition, limit=limit - len(found), exclude=seen))
    if len(found) < limit and terms.name_tokens:
        # Fewer word-prefix hits than a page: add names containing the fragments anywhere ("ossi" → Rossi).
        inside = Q()
        for token in terms.name_tokens:
            inside &= Q(search_name__contains=token)
        found.extend(_first_matches(inside, limit=limit - len(found), exclude={c.pk for c in found}))
    return sorted(found, key=lambda customer: (customer.search_name, customer.pk))


# --- the 360 profile ---------------------------------------------------------------------------------------


@dataclass
class ProductAvailability:
    here: int = 0
    network: int = 0


@dataclass
class ProfileLine:
    """A cart or wishlist line with its availability at this store and in the whole network."""

    sku: str
    name: str
    image_url: str
    quantity: int
    unit_price: Decimal | None
    currency: str
    product_id: int | None
    availability: ProductAvailability = field(default_factory=ProductAvailability)


def customer_events_page(
    *, customer: Customer, before: tuple[datetime, int] | None = None, size: int = EVENTS_PAGE_SIZE
) -> tuple[list[BrowsingEvent], tuple[datetime, int] | None]:
    """One page of a customer's browsing, newest first, by keyset: (events, cursor of the next page or None).

    The cursor is (occurred_at, id) of the last row shown, so the cost is one index range scan of
    `size + 1` rows however many events the customer has.
    """
    events = BrowsingEvent.objects.filter(customer=customer).select_related("product")
    if before is not None:
        at, pk = before
        events = events.filter(Q(occurred_at__lt=at) | Q(occurred_at=at, id__lt=pk))
    rows = list(events.order_by("-occurred_at", "-id")[: size + 1])
    if len(rows) > size:
        rows = rows[:size]
        return rows, (rows[-1].occurred_at, rows[-1].pk)
    return rows, None


def customer_recent_visits(*, customer: Customer, limit: int = VISITS_SHOWN) -> list[Visit]:
    """The customer's latest store visits (Wi-Fi, app check-in, loyalty scan) at any store, newest first, with
    their store: one query. Every store's, like the orders: the associate serves the customer, not the store."""
    return list(Visit.objects.filter(customer=customer).select_related("store").order_by("-seen_at", "-pk")[:limit])


def customer_current_cart(*, customer: Customer) -> Cart | None:
    """The latest active online cart, with its lines and their products."""
    lines = Prefetch("lines", queryset=CartLine.objects.select_related("product").order_by("pk"))
    return (
        Cart.objects.filter(customer=customer, status=CartStatus.ACTIVE)
        .prefetch_related(lines)
        .order_by("-source_updated_at", "-pk")
        .first()
    )


def customer_wishlist(*, customer: Customer) -> list[WishlistItem]:
    return list(WishlistItem.objects.filter(customer=customer).select_related("product").order_by("-added_at"))


def availability_for_products(*, product_ids: list[int], store: Location | None) -> dict[int, ProductAvailability]:
    """ATP per product at `store` and summed over every active location, in one aggregate query."""
    if not product_ids:
        return {}
    here = Sum(atp_expression(), filter=Q(location=store)) if store is not None else Value(0)
    rows = (
        StockLevel.objects.filter(product_id__in=product_ids, location__active=True)
        .values("product_id")
        .annotate(here=Coalesce(here, 0), network=Coalesce(Sum(atp_expression()), 0))
    )
    return {row["product_id"]: ProductAvailability(here=row["here"], network=row["network"]) for row in rows}


def profile_lines(
    *, cart: Cart | None, wishlist: list[WishlistItem], store: Location | None
) -> tuple[list[ProfileLine], list[ProfileLine]]:
    """Cart and wishlist lines, each with ATP here and in the network (one stock query for both)."""
    cart_lines = list(cart.lines.all()) if cart is not None else []
    ids = [line.product_id for line in [*cart_lines, *wishlist] if line.product_id]
    availability = availability_for_products(product_ids=sorted(set(ids)), store=store)

    def shape(item: CartLine | WishlistItem, quantity: int, price: tuple[Decimal, str] | None) -> ProfileLine:
        product = item.product
        if price is None and product is not None:
            price = (product.price, product.currency)
        return ProfileLine(
            sku=item.sku,
            name=product.name if product else item.sku,
            image_url=product.image_url if product else "",
            quantity=quantity,
            unit_price=price[0] if price else None,
            currency=price[1] if price else "",
            product_id=item.product_id,
            availability=availability.get(item.product_id, ProductAvailability()),
        )

    # A cart line keeps the price the customer saw online (in the cart's currency); a wishlist item has today's.
    return (
        [shape(line, line.quantity, (line.unit_price, cart.currency)) for line in cart_lines],
        [shape(item, 1, None) for item in wishlist],
    )


def customer_notes(*, customer: Customer, limit: int = 20) -> list[Note]:
    return list(
        Note.objects.filter(customer=customer).select_related("author", "store").order_by("-created_at")[:limit]
    )


def customer_open_tasks(*, customer: Customer, user: AbstractBaseUser) -> list[FollowUpTask]:
    """Open tasks for this customer at the stores `user` works for."""
    tasks = FollowUpTask.objects.filter(customer=customer, status=TaskStatus.OPEN)
    return list(
        scope_to_stores(tasks, user)
        .select_related("assigned_to", "store")  # what the task list shows (not who created it)
        .order_by(F("due_on").asc(nulls_last=True), "created_at")
    )


def store_colleagues(*, store: Location | None) -> QuerySet:
    """People assigned to `store`, the ones a task there can be given to."""
    users = get_user_model().objects.filter(is_active=True)
    if store is None:
        return users.none()
    return users.filter(staff_profile__stores=store).order_by("first_name", "last_name", "username")


ACCESS_LOG_PAGE_SIZE = 50

AccessCursor = tuple[datetime, uuid.UUID]


@dataclass(frozen=True)
class AccessLogFilters:
    """What the access log is narrowed to; each part optional."""

    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    person: AbstractBaseUser | None = None
    customer: str = ""  # a customer id, a loyalty number, or the beginnings of words of the name


@dataclass(frozen=True)
class AccessLogPage:
    """One page of the log, newest first, and the keyset cursors of the pages either side (None: no such page)."""

    entries: list[ProfileAccess]
    newer: AccessCursor | None
    older: AccessCursor | None


def _access_cursor(entry: ProfileAccess) -> AccessCursor:
    return entry.accessed_at, entry.pk


def _access_customer_condition(text: str) -> Q:
    """Which customers `text` means: an id or a loyalty number exactly, else words the name begins with."""
    raw = text.strip()
    if raw.isascii() and raw.isdigit():
        # Digits alone may be an id or an all-digit loyalty number; ids beyond bigint cannot exist.
        condition = Q(customer__loyalty_number=raw)
        if len(raw) < 19:
            condition |= Q(customer_id=int(raw))
        return condition
    if _LOYALTY_SHAPE.match(raw) and any(ch.isdigit() for ch in raw):
        return Q(customer__loyalty_number=raw.upper())
    names = Q()
    for token in _name_tokens(raw):  # folded as the search keys are, so "D’Amico" finds "damico"
        names &= _word_prefix(token)
    return Q(customer__in=Customer.objects.filter(names).values("pk")) if names else Q()


def access_log_for_user(
    *,
    user: AbstractBaseUser,
    filters: AccessLogFilters | None = None,
    before: AccessCursor | None = None,
    after: AccessCursor | None = None,
    size: int = ACCESS_LOG_PAGE_SIZE,
) -> AccessLogPage:
    """One page of the profile access log of the stores `user` manages (every store, and looks made at none,
    for head office), newest first.

    Keyset paging on (accessed_at, id): `before` is the last row of the newer page, `after` the first row of
    the older one. Each page is one query reading `size + 1` rows in index order (access_store_time, or the
    accessed_at index for head office) however deep it is; the log is never counted.
    """
    filters = filters or AccessLogFilters()
    rows = scope_to_stores(ProfileAccess.objects.all(), user).select_related("user", "store", "customer")
    if filters.since is not None:
        rows = rows.filter(accessed_at__gte=filters.since)
    if filters.until is not None:
        rows = rows.filter(accessed_at__lt=filters.until)
    if filters.person is not None:
        rows = rows.filter(user=filters.person)
    if filters.customer.strip():
        rows = rows.filter(_access_customer_condition(filters.customer))
    if after is not None and before is None:
        at, pk = after
        # The bare `>=` bound is the one an index range scan can use; the OR settles ties on the time.
        newer_rows = rows.filter(accessed_at__gte=at).filter(Q(accessed_at__gt=at) | Q(id__gt=pk))
        found = list(newer_rows.order_by("accessed_at", "id")[: size + 1])
        entries = found[:size][::-1]
        newer = _access_cursor(entries[0]) if len(found) > size else None
        return AccessLogPage(entries=entries, newer=newer, older=_access_cursor(entries[-1]) if entries else None)
    if before is not None:
        at, pk = before
        rows = rows.filter(accessed_at__lte=at).filter(Q(accessed_at__lt=at) | Q(id__lt=pk))
    found = list(rows.order_by("-accessed_at", "-id")[: size + 1])
    entries = found[:size]
    return AccessLogPage(
        entries=entries,
        newer=_access_cursor(entries[0]) if before is not None and entries else None,
        older=_access_cursor(entries[-1]) if len(found) > size else None,
    )


def access_log_people(*, user: AbstractBaseUser) -> QuerySet:
    """The people the access log of `user`'s stores can be narrowed to: those who work at these stores, and
    head office, whose looks are recorded at a store they chose. Not "everyone in the log": finding them
    would read the whole log of the store on every page.
    """

    people = get_user_model().objects.filter(Q(staff_profile__isnull=False) | Q(is_superuser=True))
    if not is_head_office(user):
        people = people.filter(
            Q(staff_profile__stores__in=user_stores(user))
            | Q(staff_profile__role=Role.HEAD_OFFICE)
            | Q(is_superuser=True)
        )
    return people.distinct().order_by("first_name", "last_name", "username")
