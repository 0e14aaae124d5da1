"""The demo's rows, generated from one seed: same seed and same anchor, same rows, in the same order.

Rows are plain tuples in the column order of the `*_COLUMNS` constants, so that the loader can stream them
through PostgreSQL's COPY. Times are computed as integer epoch seconds and turned into aware datetimes last.
"""

from __future__ import annotations

import base64
import bisect
import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import phonenumbers

from omniportal.text import digits, fold, name_key

from . import data
from .places import Place, StoreIndex, StorePoint, bench_store_sites, european_places, offset
from .product_images import image_path

DAY = 86_400
HOUR = 3_600
ROPO_WINDOW_DAYS = 14

LOCATION_COLUMNS = (
    "id", "code", "name", "kind", "address_line1", "city", "postal_code", "country", "lat", "lon",
    "ships_to_home", "offers_pickup", "commission_eligible", "active", "updated_at",
)  # fmt: skip
CATEGORY_COLUMNS = ("id", "code", "name")
PRODUCT_COLUMNS = (
    "id", "sku", "name", "category_id", "price", "currency", "barcode", "brand", "image_url", "active",
    "search_text", "updated_at",
)  # fmt: skip
CUSTOMER_COLUMNS = (
    "id", "external_id", "first_name", "last_name", "email", "phone", "loyalty_number", "loyalty_tier",
    "address_line1", "address_line2", "city", "postal_code", "country", "lat", "lon", "consent_clienteling",
    "consent_marketing", "sizes", "preferences", "search_name", "phone_digits", "nearest_store_id",
    "nearest_store_km", "source_updated_at", "created_at", "erased_at",
)  # fmt: skip
EVENT_COLUMNS = (
    "id", "event_id", "type", "occurred_at", "session_id", "customer_id", "customer_external_id", "product_id",
    "sku", "quantity", "query", "channel", "device",
)  # fmt: skip
CART_COLUMNS = (
    "id", "cart_id", "customer_id", "customer_external_id", "session_id", "status", "currency",
    "source_updated_at", "created_at",
)  # fmt: skip
CART_LINE_COLUMNS = ("id", "cart_id", "product_id", "sku", "quantity", "unit_price")
WISHLIST_COLUMNS = ("id", "customer_id", "product_id", "sku", "added_at")
VISIT_COLUMNS = ("id", "store_id", "customer_id", "customer_external_id", "loyalty_number", "seen_at", "source")
ORDER_COLUMNS = (
    "id", "number", "external_id", "channel", "status", "customer_id", "customer_external_id", "selling_store_id",
    "placed_by_id", "placed_at", "currency", "shipping_amount", "till_receipt", "delivery_method",
    "pickup_store_id", "delivery_name", "delivery_line1", "delivery_line2", "delivery_city",
    "delivery_postal_code", "delivery_country", "delivery_lat", "delivery_lon", "location_source",
    "tracking_token", "carrier", "tracking_number", "tracking_url", "created_at", "updated_at",
)  # fmt: skip
ORDER_LINE_COLUMNS = (
    "id", "order_id", "product_id", "sku", "quantity", "unit_price", "discount", "source_id",
    "reserved_quantity", "shipped_quantity", "cancelled_quantity", "returned_quantity",
)  # fmt: skip
STATUS_CHANGE_COLUMNS = (
    "id", "order_id", "from_status", "to_status", "occurred_at", "actor_id", "actor_label", "lines", "note",
    "created_at",
)  # fmt: skip
SALE_COLUMNS = (
    "id", "external_id", "store_id", "sold_at", "currency", "customer_id", "customer_external_id",
    "loyalty_number", "total",
)  # fmt: skip
SALE_LINE_COLUMNS = ("id", "sale_id", "product_id", "sku", "quantity", "unit_price")
NOTE_COLUMNS = ("id", "customer_id", "author_id", "store_id", "body", "created_at")

# Behaviour by distance band from home to the nearest store: 0–5, 5–15, 15–50, 50+ km.
# Near a store the online cart is a shopping list (abandoned, then bought in the store); far away people buy online.
BAND_LIMITS_KM = (5.0, 15.0, 50.0)
ABANDON_RATE = (0.70, 0.64, 0.45, 0.22)  # of carts that ended (not still active)
ROPO_RATE = (0.58, 0.46, 0.14, 0.03)  # abandoned carts followed by an in-store purchase of a cart SKU
DIRECT_ORDER_FACTOR = (0.45, 0.65, 1.1, 1.9)  # online orders placed without a tracked cart
STORE_SALE_FACTOR = (1.6, 1.1, 0.45, 0.08)  # ordinary in-store purchases
PICKUP_SHARE = (0.35, 0.30, 0.15, 0.03)
# Where customers live: in a store's city, in towns 5–15 km out, 15–50 km out, or far from every store.
SEGMENT_WEIGHTS = (0.33, 0.25, 0.22, 0.20)


@dataclass(frozen=True)
class Scale:
    name: str
    stores: int
    skus: int
    customers: int
    stock_skip_percent: int  # share of (store, SKU) pairs without a stock row; warehouses stock everything
    carts_per_customer: float
    direct_orders_per_customer: float
    events_per_customer: float
    anonymous_event_share: float
    store_sales_per_customer: float
    anonymous_sales_per_customer: float
    wishlist_share: float
    in_store_now_per_store: int
    chunk: int
    feed_movements: bool


SCALES = {
    "tiny": Scale("tiny", 12, 60, 400, 10, 1.8, 0.6, 10, 0.1, 1.0, 0.15, 0.3, 3, 100, True),
    "small": Scale("small", 12, 300, 2_000, 8, 1.7, 0.9, 19, 0.1, 1.0, 0.2, 0.3, 6, 2_000, True),
    "bench": Scale("bench", 490, 20_000, 1_000_000, 0, 1.4, 0.55, 15, 0.1, 0.6, 0.1, 0.3, 6, 10_000, False),
}


def ts_datetime(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def ean13(body12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def event_uuid(pk: int, rng: random.Random) -> str:
    """A version-8 UUID (RFC 9562): 48 bits of the row id, then bits drawn from `rng` (never uuid4()).

    Like UUIDv7's time prefix, the ordered prefix makes each insert land at the right edge of the unique
    index instead of on a random page, which loads a million rows markedly faster (docs/performance.md).
    """
    value = (pk & 0xFFFF_FFFF_FFFF) << 80 | 0x8 << 76 | rng.getrandbits(12) << 64 | 0x2 << 62 | rng.getrandbits(62)
    return f"{value:032x}"


def band_of(km: float) -> int:
    return bisect.bisect_right(BAND_LIMITS_KM, km)


@dataclass
class LocationInfo:
    pk: int
    code: str
    name: str
    kind: str
    city: str
    postal_code: str
    country: str
    lat: float
    lon: float


@dataclass
class Catalogue:
    ids: list[int] = field(default_factory=list)
    skus: list[str] = field(default_factory=list)
    prices: list[int] = field(default_factory=list)  # cents


def build_locations(scale: Scale, rng: random.Random, first_id: int, anchor: datetime) -> list[LocationInfo]:
    rows: list[LocationInfo] = []
    pk = itertools.count(first_id)
    for code, name, _line1, city, postal, country, lat, lon, _ships in data.SMALL_STORES[: scale.stores]:
        rows.append(LocationInfo(next(pk), code, name, "store", city, postal, country, lat, lon))
    if scale.stores > len(data.SMALL_STORES):
        for code, name, city, country, lat, lon in bench_store_sites(scale.stores - len(data.SMALL_STORES), rng):
            postal = f"{rng.randrange(10000, 99999)}"
            rows.append(LocationInfo(next(pk), code, name, "store", city, postal, country, lat, lon))
    warehouses = data.WAREHOUSES if scale.stores > len(data.SMALL_STORES) else data.WAREHOUSES[:2]
    for code, name, _line1, city, postal, country, lat, lon in warehouses:
        rows.append(LocationInfo(next(pk), code, name, "warehouse", city, postal, country, lat, lon))
    return rows


def location_rows(locations: list[LocationInfo], rng: random.Random, anchor: datetime) -> Iterator[tuple]:
    small = {s[0]: s for s in data.SMALL_STORES}
    wh = {w[0]: w for w in data.WAREHOUSES}
    for loc in locations:
        if loc.kind == "warehouse":
            line1, ships, pickup, eligible = wh[loc.code][2], True, False, False
        elif loc.code in small:
            line1, ships, pickup, eligible = small[loc.code][2], small[loc.code][8], True, True
        else:
            street = rng.choice(data.STREETS[_street_country(loc.country)])
            line1, ships, pickup, eligible = f"{street} {rng.randint(1, 120)}", rng.random() < 0.4, True, True
        yield (
            loc.pk, loc.code, loc.name, loc.kind, line1, loc.city, loc.postal_code, loc.country, loc.lat, loc.lon,
            ships, pickup, eligible, True, anchor,
        )  # fmt: skip


def _street_country(country: str) -> str:
    return country if country in data.STREETS else data.STREET_FALLBACK.get(country, "IT")


def _name_country(country: str) -> str:
    return country if country in data.FIRST_NAMES else data.NAME_COUNTRY_FALLBACK.get(country, "IT")


def category_rows(first_id: int) -> list[tuple]:
    return [(first_id + i, code, name) for i, (code, name, *_rest) in enumerate(data.CATEGORIES)]


def product_rows(
    scale: Scale, rng: random.Random, first_id: int, category_ids: list[int], anchor: datetime
) -> tuple[list[tuple], Catalogue]:
    rows: list[tuple] = []
    catalogue = Catalogue()
    per_category = [0] * len(data.CATEGORIES)
    for i in range(scale.skus):
        c = i % len(data.CATEGORIES)
        code, _cat_name, kinds, materials, sizing = data.CATEGORIES[c]
        per_category[c] += 1
        kind, low, high = rng.choice(kinds)
        collection = rng.choice(data.COLLECTIONS)
        material, colour = rng.choice(materials), rng.choice(data.COLOURS)
        name = f"{kind} {collection} {material}, {colour}"
        # Prices end in ,90 or ,00 like a shop's.
        price = rng.randint(low, high) * 100 - (10 if rng.random() < 0.6 else 0)
        brand_group = "home" if code in ("TES", "CUC", "PRO") else "kids" if sizing == "kids" else None
        if brand_group is None:
            brand_group = "partner" if rng.random() < 0.25 else "own"
        brand = rng.choice(data.BRANDS[brand_group])
        sku = f"{code}-{per_category[c]:05d}"
        barcode = ean13(f"80{54321:05d}{i:05d}") if i < 100_000 else ""
        pk = first_id + i
        rows.append(
            (
                pk, sku, name, category_ids[c], money(price), "EUR", barcode, brand, image_path(kind, colour), True,
                fold(f"{sku} {name} {brand}")[:500], anchor,
            )
        )  # fmt: skip
        catalogue.ids.append(pk)
        catalogue.skus.append(sku)
        catalogue.prices.append(price)
    return rows, catalogue


class PhoneMaker:
    """Valid mobile numbers in E.164, built as strings (parsing a million numbers would take minutes)."""

    def __init__(self, countries: set[str], rng: random.Random) -> None:
        self.templates: dict[str, tuple[str, int]] = {}
        for country in sorted(countries):
            example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
            if example is None:
                continue
            national = str(example.national_number)
            for free in (6, 5, 4, 3):
                prefix = f"+{example.country_code}{national[:-free]}"
                samples = [f"{prefix}{rng.randrange(10**free):0{free}d}" for _ in range(40)]
                if all(phonenumbers.is_valid_number(phonenumbers.parse(s)) for s in samples):
                    self.templates[country] = (prefix, free)
                    break

    def make(self, country: str, rng: random.Random) -> str:
        if country == "IT" or country not in self.templates:
            return f"+39{rng.choice(data.IT_MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"
        prefix, free = self.templates[country]
        return f"{prefix}{rng.randrange(10**free):0{free}d}"


@dataclass
class Tables:
    """Rows generated for one chunk of customers, by table."""

    customers: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    carts: list[tuple] = field(default_factory=list)
    cart_lines: list[tuple] = field(default_factory=list)
    wishlist: list[tuple] = field(default_factory=list)
    visits: list[tuple] = field(default_factory=list)
    orders: list[tuple] = field(default_factory=list)
    order_lines: list[tuple] = field(default_factory=list)
    status_changes: list[tuple] = field(default_factory=list)
    sales: list[tuple] = field(default_factory=list)
    sale_lines: list[tuple] = field(default_factory=list)


@dataclass
class Counters:
    customers: int = 0
    events: int = 0
    carts: int = 0
    cart_lines: int = 0
    wishlist: int = 0
    visits: int = 0
    orders: int = 0
    order_lines: int = 0
    status_changes: int = 0
    sales: int = 0
    sale_lines: int = 0


# Id blocks: chunk c owns ids [first + c·chunk·n, first + (c+1)·chunk·n) of each table, n per customer being far
# above the mean (about 22 events, 1.5 carts, 1.1 orders); a chunk that overflows its block is an error.
ID_BLOCK_PER_CUSTOMER = {
    "event": 96, "cart": 16, "cart_line": 64, "wishlist": 8, "visit": 24, "order": 16, "order_line": 48,
    "status_change": 64, "sale": 16, "sale_line": 48,
}  # fmt: skip
COUNTER_OF_ID = {
    "event": "events", "cart": "carts", "cart_line": "cart_lines", "wishlist": "wishlist", "visit": "visits",
    "order": "orders", "order_line": "order_lines", "status_change": "status_changes", "sale": "sales",
    "sale_line": "sale_lines",
}  # fmt: skip


@dataclass
class Chunk:
    number: int
    tables: Tables
    count: Counters
    regulars: dict[int, list[tuple[int, str, str]]]


class ActivityGenerator:
    """Customers and everything they did, one customer at a time, so the bench scale streams in chunks."""

    def __init__(
        self,
        *,
        scale: Scale,
        seed: int,
        anchor: datetime,
        now: datetime,
        locations: list[LocationInfo],
        catalogue: Catalogue,
        first_ids: dict[str, int],
    ) -> None:
        self.scale = scale
        self.seed = seed
        self.rng = random.Random(f"{seed}:activity")
        self.anchor_ts = int(anchor.timestamp())
        self.now_ts = int(now.timestamp())
        self.catalogue = catalogue
        self.stores = [loc for loc in locations if loc.kind == "store"]
        self.store_by_pk = {s.pk: s for s in self.stores}
        self.index = StoreIndex([StorePoint(s.pk, s.code, s.lat, s.lon) for s in self.stores])
        self.first_ids = dict(first_ids)
        self.phones = PhoneMaker({s.country for s in self.stores}, random.Random(f"{seed}:phones"))
        self._prepare_homes()
        self.start_chunk(0)

    # ---- chunks ----------------------------------------------------------------------------------------

    def start_chunk(self, chunk: int) -> None:
        """Start customers `chunk * scale.chunk` onwards with the chunk's own random stream and id blocks.

        Each chunk depends only on (seed, chunk), never on the chunks before it, so worker processes can
        generate chunks in any order and the rows are the same as one process generating them in turn.
        """
        self.chunk = chunk
        self.rng = random.Random(f"{self.seed}:activity:{chunk}")
        self.ids = {
            name: itertools.count(first + chunk * self.scale.chunk * ID_BLOCK_PER_CUSTOMER.get(name, 0))
            for name, first in self.first_ids.items()
        }
        self.order_seq = itertools.count(chunk * self.scale.chunk * ID_BLOCK_PER_CUSTOMER["order"] + 1)
        self.sale_seq = itertools.count(chunk * self.scale.chunk * ID_BLOCK_PER_CUSTOMER["sale"] + 1)
        self.count = Counters()
        self.out = Tables()
        # A few customers per store, remembered to fill "in store now" and the demo notes and tasks.
        self.regulars: dict[int, list[tuple[int, str, str]]] = {}

    def generate_chunk(self, chunk: int) -> Chunk:
        """Every customer of chunk `chunk`, with all they did: the rows, their counts and the chunk's regulars."""
        self.start_chunk(chunk)
        first = chunk * self.scale.chunk
        for index in range(first, min(first + self.scale.chunk, self.scale.customers)):
            self.customer(index)
        for name, per_customer in ID_BLOCK_PER_CUSTOMER.items():
            used = getattr(self.count, COUNTER_OF_ID[name])
            if used > per_customer * self.scale.chunk:
                raise RuntimeError(f"Chunk {chunk} used {used:,} {name} ids, more than its block.")
        return Chunk(chunk, self.take(), self.count, self.regulars)

    # ---- where customers live -------------------------------------------------------------------------

    def _prepare_homes(self) -> None:
        rng = random.Random(f"{self.rng.random()}:homes")
        countries = {s.country for s in self.stores}
        main_country = "IT"
        towns: list[list[Place]] = [[], [], [], []]
        weights: list[list[float]] = [[], [], [], []]
        for place in european_places(5000):
            if place.country not in countries:
                continue
            nearest = self.index.nearest(place.lat, place.lon)
            assert nearest is not None
            band = band_of(nearest[1])
            if band == 0:
                continue  # homes in a store's own city are placed around the store itself
            # The small network is Italian with two stores abroad: its customers are mostly Italian too.
            factor = 1.0 if len(countries) > 3 or place.country == main_country else 0.15
            towns[band].append(place)
            weights[band].append(factor * place.population**0.7)
        self.towns = towns
        self.town_cum = [list(itertools.accumulate(w)) for w in weights]
        self.store_cum = list(itertools.accumulate(1.0 for _ in self.stores))
        self.segment_cum = list(itertools.accumulate(SEGMENT_WEIGHTS))
        del rng

    def _home(self) -> tuple[str, str, float, float, str]:
        """(city, country, lat, lon, postal prefix) of a new customer's home."""
        rng = self.rng
        segment = bisect.bisect_right(self.segment_cum, rng.random() * self.segment_cum[-1])
        segment = min(segment, 3)
        if segment > 0 and not self.towns[segment]:
            segment = 0
        if segment == 0:
            store = self.stores[bisect.bisect_right(self.store_cum, rng.random() * self.store_cum[-1])]
            lat, lon = offset(store.lat, store.lon, 0.3 + 4.4 * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi))
            return store.city, store.country, lat, lon, store.postal_code[:3]
        cum = self.town_cum[segment]
        town = self.towns[segment][min(bisect.bisect_right(cum, rng.random() * cum[-1]), len(cum) - 1)]
        lat, lon = offset(town.lat, town.lon, 2.0 * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi))
        return town.name, town.country, lat, lon, ""

    # ---- helpers ---------------------------------------------------------------------------------------

    def _sku(self) -> int:
        """A catalogue index, skewed so that a few products are popular."""
        r = self.rng.random()
        return int(len(self.catalogue.ids) * r * r)

    def _distinct_skus(self, count: int) -> list[int]:
        chosen: list[int] = []
        while len(chosen) < count:
            k = self._sku()
            if k not in chosen:
                chosen.append(k)
        return chosen

    def _store_time(self, day_ts: int) -> int:
        """A moment during opening hours (09:30–19:00 UTC) on the day of `day_ts`."""
        return day_ts - day_ts % DAY + int(34_200 + self.rng.random() * 34_200)

    # ---- one customer ----------------------------------------------------------------------------------

    def customer(self, index: int) -> None:
        rng = self.rng
        scale = self.scale
        out = self.out
        cid = self.first_ids["customer"] + index
        external_id = f"CUST-{index + 1:07d}"
        city, country, lat, lon, postal_prefix = self._home()
        nearest = self.index.nearest(lat, lon)
        assert nearest is not None
        store_point, km = nearest
        store = self.store_by_pk[store_point.pk]
        band = band_of(km)

        names = _name_country(country)
        female = rng.random() < 0.58
        first = rng.choice(data.FIRST_NAMES[names][0 if female else 1])
        last = rng.choice(data.LAST_NAMES[names])
        local = "".join(ch for ch in f"{fold(first)}.{fold(last)}" if ch.isalnum() or ch == ".")
        suffix = str(rng.randint(1, 99)) if rng.random() < 0.6 else ""
        domains = data.EMAIL_DOMAINS.get(country, data.EMAIL_DOMAINS_DEFAULT)
        email = f"{local}{suffix}@{rng.choice(domains)}" if rng.random() < 0.95 else ""
        phone = self.phones.make(country, rng) if rng.random() < 0.9 else ""
        loyalty = f"8{(index * 7919 + 13) % 10**9:09d}" if rng.random() < 0.8 else None
        tier = ""
        if loyalty:
            r = rng.random()
            tier = "platinum" if r < 0.05 else "gold" if r < 0.2 else "silver" if r < 0.55 else ""
        street = rng.choice(data.STREETS[_street_country(country)])
        line1 = f"{street} {rng.randint(1, 180)}"
        line2 = f"Interno {rng.randint(1, 30)}" if country == "IT" and rng.random() < 0.2 else ""
        postal = f"{postal_prefix}{rng.randrange(100):02d}" if postal_prefix else f"{rng.randrange(10000, 99999)}"
        consent_clienteling = rng.random() < 0.85
        consent_marketing = consent_clienteling and rng.random() < 0.7
        sizes: dict[str, str] = {}
        if rng.random() < 0.7:
            sizes = {
                "top": rng.choice(data.SIZES["top"]),
                "bottom": rng.choice(data.SIZES["it_women" if female else "it_men"]),
                "shoes": rng.choice(data.SIZES["shoes_women" if female else "shoes_men"]),
            }
        preferences: dict[str, object] = {}
        if rng.random() < 0.6:
            preferences = {
                "colours": rng.sample(data.COLOURS, 2),
                "categories": rng.sample([c[0] for c in data.CATEGORIES], 2),
                "contact": rng.choice(data.PREFERRED_CONTACT),
            }
        created_ts = self.anchor_ts - int(rng.uniform(30, 1500) * DAY)
        updated_ts = min(self.anchor_ts - HOUR, created_ts + int(rng.uniform(0, 400) * DAY))
        out.customers.append(
            (
                cid, external_id, first, last, email, phone, loyalty, tier, line1, line2, city, postal, country,
                lat, lon, consent_clienteling, consent_marketing, sizes, preferences, name_key(first, last),
                digits(phone), store.pk, round(km, 3), ts_datetime(updated_ts), ts_datetime(created_ts), None,
            )
        )  # fmt: skip
        self.count.customers += 1
        who = (cid, external_id, loyalty or "")
        if band <= 1:
            regulars = self.regulars.setdefault(store.pk, [])
            if len(regulars) < 12:
                regulars.append(who)
        home = (f"{first} {last}", line1, line2, city, postal, country, lat, lon)
        device = rng.choice(data.DEVICES)
        channel = "app" if "app" in device or rng.random() < 0.3 else "web"

        event_budget = int(scale.events_per_customer * rng.uniform(0.3, 1.7))
        events_before = self.count.events

        # Online carts: the heart of the story.
        n_carts = self._poisson(scale.carts_per_customer)
        for _ in range(n_carts):
            self._cart(who, band, store, home, channel, device)
        # Online orders without a tracked cart.
        for _ in range(self._poisson(scale.direct_orders_per_customer * DIRECT_ORDER_FACTOR[band])):
            # One in ten is recent, so the pickup queues and the in-flight statuses are populated.
            placed_ts = self.anchor_ts - int(
                (rng.uniform(0.05, 3) if rng.random() < 0.1 else rng.uniform(0.05, 180)) * DAY
            )
            lines = [(k, 1 if rng.random() < 0.85 else 2) for k in self._distinct_skus(rng.randint(1, 3))]
            session = f"s_{rng.getrandbits(64):016x}"
            self._session_events(who, session, channel, device, placed_ts - 900, [k for k, _ in lines], add=True)
            self._order(who, band, store, home, channel, placed_ts, lines)
        # Ordinary visits to the nearest store (and the odd one elsewhere).
        for _ in range(self._poisson(scale.store_sales_per_customer * STORE_SALE_FACTOR[band])):
            sale_store = store if rng.random() < 0.85 else self.stores[int(rng.random() * len(self.stores))]
            sold_ts = self._store_time(self.anchor_ts - int(rng.uniform(1, 365) * DAY))
            self._sale(who, sale_store, sold_ts, self._distinct_skus(rng.randint(1, 3)))
        # Wishlist.
        if rng.random() < scale.wishlist_share:
            session = f"s_{rng.getrandbits(64):016x}"
            for k in self._distinct_skus(rng.randint(1, 4)):
                added = self.anchor_ts - int(rng.uniform(1, 200) * DAY)
                out.wishlist.append(
                    (next(self.ids["wishlist"]), cid, self.catalogue.ids[k], self.catalogue.skus[k], ts_datetime(added))
                )
                self.count.wishlist += 1
                self._event(who, session, channel, device, added, "wishlist_add", k, None, "")
        # Browsing that led nowhere in particular, up to this customer's appetite.
        while self.count.events - events_before < event_budget:
            session = f"s_{rng.getrandbits(64):016x}"
            start = self.anchor_ts - int(rng.uniform(0.1, 120) * DAY)
            self._session_events(who, session, channel, device, start, self._distinct_skus(rng.randint(2, 6)))
        # Anonymous visitors to the site, in proportion.
        anonymous = int(scale.events_per_customer * scale.anonymous_event_share * rng.uniform(0, 2))
        if anonymous:
            session = f"s_{rng.getrandbits(64):016x}"
            start = self.anchor_ts - int(rng.uniform(0.1, 60) * DAY)
            anon_device = rng.choice(data.DEVICES)
            for j in range(anonymous):
                self._event(None, session, "web", anon_device, start + 40 * j, "product_view", self._sku(), None, "")
        # Anonymous till sales (no loyalty card shown).
        for _ in range(self._poisson(scale.anonymous_sales_per_customer)):
            sale_store = self.stores[int(rng.random() * len(self.stores))]
            sold_ts = self._store_time(self.anchor_ts - int(rng.uniform(1, 365) * DAY))
            self._sale(None, sale_store, sold_ts, self._distinct_skus(rng.randint(1, 2)))

    def _poisson(self, mean: float) -> int:
        # Knuth's method; the means here are small.
        limit = math.exp(-mean)
        k, p = 0, self.rng.random()
        while p > limit:
            k += 1
            p *= self.rng.random()
        return k

    def _event(
        self,
        who: tuple[int, str, str] | None,
        session: str,
        channel: str,
        device: str,
        at: int,
        kind: str,
        k: int | None,
        quantity: int | None,
        query: str,
    ) -> None:
        product_id, sku = (self.catalogue.ids[k], self.catalogue.skus[k]) if k is not None else (None, "")
        pk = next(self.ids["event"])
        self.out.events.append(
            (
                pk, event_uuid(pk, self.rng), kind, ts_datetime(at), session,
                who[0] if who else None, who[1] if who else "", product_id, sku, quantity, query, channel, device,
            )
        )  # fmt: skip
        self.count.events += 1

    def _session_events(
        self,
        who: tuple[int, str, str],
        session: str,
        channel: str,
        device: str,
        start: int,
        skus: list[int],
        *,
        add: bool = False,
    ) -> int:
        """A visit to the site: login, maybe a search, views (and add-to-cart when `add`). Returns its end time."""
        rng = self.rng
        at = start
        self._event(who, session, channel, device, at, "login", None, None, "")
        if rng.random() < 0.4:
            at += 20
            self._event(who, session, channel, device, at, "search", None, None, rng.choice(data.SEARCH_QUERIES))
        for k in skus:
            at += int(15 + rng.random() * 90)
            self._event(who, session, channel, device, at, "product_view", k, None, "")
            if add:
                at += int(5 + rng.random() * 30)
                self._event(who, session, channel, device, at, "add_to_cart", k, 1, "")
        return at

    def _cart(
        self,
        who: tuple[int, str, str],
        band: int,
        store: LocationInfo,
        home: tuple,
        channel: str,
        device: str,
    ) -> None:
        rng = self.rng
        age_days = rng.uniform(0.02, 120)
        lines = [(k, 1 if rng.random() < 0.85 else 2) for k in self._distinct_skus(rng.randint(1, 4))]
        session = f"s_{rng.getrandbits(64):016x}"
        start = self.anchor_ts - int(age_days * DAY) - 1200
        # Looked at a few more things than ended up in the cart.
        browsed = [k for k, _ in lines] + self._distinct_skus(rng.randint(0, 3))
        end = self._session_events(who, session, channel, device, start, browsed[len(lines) :])
        for k, quantity in lines:
            end += int(20 + rng.random() * 60)
            self._event(who, session, channel, device, end, "product_view", k, None, "")
            self._event(who, session, channel, device, end + 10, "add_to_cart", k, quantity, "")
            end += 10
        updated_ts = end + 60
        if age_days < 2 and rng.random() < 0.8 or rng.random() < 0.05:
            status = "active"
        elif rng.random() < ABANDON_RATE[band]:
            status = "abandoned"
        else:
            status = "ordered"
        cart_pk = next(self.ids["cart"])
        self.out.carts.append(
            (
                cart_pk, f"cart_{rng.getrandbits(80):020x}", who[0], who[1], session, status, "EUR",
                ts_datetime(updated_ts), ts_datetime(updated_ts),
            )
        )  # fmt: skip
        self.count.carts += 1
        for k, quantity in lines:
            self.out.cart_lines.append(
                (
                    next(self.ids["cart_line"]), cart_pk, self.catalogue.ids[k], self.catalogue.skus[k], quantity,
                    money(self.catalogue.prices[k]),
                )
            )  # fmt: skip
            self.count.cart_lines += 1
        if status == "ordered":
            self._order(who, band, store, home, channel, updated_ts + 30, lines)
        elif status == "abandoned" and rng.random() < ROPO_RATE[band]:
            # Research online, purchase offline: a cart SKU bought in a nearby store within the window.
            day = rng.randint(0, ROPO_WINDOW_DAYS - 2)
            sold_ts = self._store_time(updated_ts + day * DAY)
            if sold_ts <= updated_ts:
                sold_ts += DAY
            if sold_ts < self.anchor_ts - HOUR:
                bought = [k for k, _ in lines[: rng.randint(1, len(lines))]]
                if rng.random() < 0.3:
                    bought.append(self._sku())
                self._sale(who, store, sold_ts, list(dict.fromkeys(bought)))

    def _sale(self, who: tuple[int, str, str] | None, store: LocationInfo, sold_ts: int, skus: list[int]) -> None:
        rng = self.rng
        sale_pk = next(self.ids["sale"])
        total = 0
        for k in skus:
            quantity = 1 if rng.random() < 0.9 else 2
            price = self.catalogue.prices[k]
            total += quantity * price
            self.out.sale_lines.append(
                (
                    next(self.ids["sale_line"]),
                    sale_pk,
                    self.catalogue.ids[k],
                    self.catalogue.skus[k],
                    quantity,
                    money(price),
                )
            )
            self.count.sale_lines += 1
        self.out.sales.append(
            (
                sale_pk, f"POS-{store.code}-{next(self.sale_seq):08d}", store.pk, ts_datetime(sold_ts), "EUR",
                who[0] if who else None, who[1] if who else "", who[2] if who else "", money(total),
            )
        )  # fmt: skip
        self.count.sales += 1
        if who is not None and rng.random() < 0.7:
            self._visit(who, store, sold_ts - int(rng.uniform(5, 40) * 60))

    def _visit(self, who: tuple[int, str, str], store: LocationInfo, seen_ts: int) -> None:
        source = "loyalty_scan" if who[2] and self.rng.random() < 0.5 else self.rng.choice(("wifi", "app"))
        self.out.visits.append(
            (next(self.ids["visit"]), store.pk, who[0], who[1], who[2], ts_datetime(seen_ts), source)
        )
        self.count.visits += 1

    def _order(
        self,
        who: tuple[int, str, str],
        band: int,
        store: LocationInfo,
        home: tuple,
        channel: str,
        placed_ts: int,
        lines: list[tuple[int, int]],
    ) -> None:
        rng = self.rng
        order_pk = next(self.ids["order"])
        seq = next(self.order_seq)
        pickup = rng.random() < PICKUP_SHARE[band]
        path = self._status_path(pickup, len(lines) + sum(q for _, q in lines) > 2)
        history: list[tuple[str, str, int]] = [("", "placed", placed_ts)]
        at = placed_ts
        for status, delay_hours in path:
            at += int(delay_hours * HOUR * rng.uniform(0.6, 1.4))
            if at > self.anchor_ts - HOUR:
                break
            history.append((history[-1][1], status, at))
        status = history[-1][1]
        subtotal = sum(self.catalogue.prices[k] * q for k, q in lines)
        shipping = 0 if pickup or subtotal >= 7900 else 490
        name, line1, line2, city, postal, country, lat, lon = home
        if pickup:
            d_line1, d_line2, d_city, d_postal, d_country = "", "", store.city, store.postal_code, store.country
            d_lat, d_lon, source = store.lat, store.lon, "given"
        elif rng.random() < 0.004:
            # A handful of addresses nobody could place: head office's "unlocated" list.
            d_line1, d_line2, d_city, d_postal, d_country = line1, line2, "", "", country
            d_lat, d_lon, source = None, None, "unlocated"
        else:
            d_line1, d_line2, d_city, d_postal, d_country = line1, line2, city, postal, country
            d_lat, d_lon, source = lat, lon, "given"
        shipped = any(s in ("shipped", "delivered") for _, s, _ in history)
        carrier = tracking_number = tracking_url = ""
        if shipped and not pickup:
            carrier = rng.choice(data.CARRIERS)
            tracking_number = f"{rng.randrange(10**11, 10**12)}"
            tracking_url = f"https://tracking.example.com/{carrier.lower().replace(' ', '-')}/{tracking_number}"
        token = base64.urlsafe_b64encode(rng.getrandbits(144).to_bytes(18, "big")).decode()
        prefix = "APP" if channel == "app" else "WEB"
        self.out.orders.append(
            (
                order_pk, f"{prefix}-{seq:07d}", f"EC-{seq:08d}", channel, status, who[0], who[1], None, None,
                ts_datetime(placed_ts), "EUR", money(shipping), "", "pickup" if pickup else "home",
                store.pk if pickup else None, name, d_line1, d_line2, d_city, d_postal, d_country, d_lat, d_lon,
                source, token, carrier, tracking_number, tracking_url, ts_datetime(placed_ts),
                ts_datetime(history[-1][2]),
            )
        )  # fmt: skip
        self.count.orders += 1
        partial_sku = self.catalogue.skus[lines[0][0]]
        for i, (k, quantity) in enumerate(lines):
            discount = self.catalogue.prices[k] * quantity // 10 if rng.random() < 0.1 else 0
            shipped_q = quantity if status in ("shipped", "delivered", "returned", "partially_returned") else 0
            shipped_q = quantity if status in ("collected",) else shipped_q
            cancelled_q = quantity if status == "cancelled" else 0
            returned_q = quantity if status == "returned" or (status == "partially_returned" and i == 0) else 0
            if status == "partially_returned" and i == 0:
                returned_q = 1
            self.out.order_lines.append(
                (
                    next(self.ids["order_line"]), order_pk, self.catalogue.ids[k], self.catalogue.skus[k], quantity,
                    money(self.catalogue.prices[k]), money(discount), None, 0, shipped_q, cancelled_q, returned_q,
                )
            )  # fmt: skip
            self.count.order_lines += 1
        for from_status, to_status, at in history:
            changed_lines = [{"sku": partial_sku, "quantity": 1}] if to_status == "partially_returned" else []
            self.out.status_changes.append(
                (
                    next(self.ids["status_change"]), order_pk, from_status, to_status, ts_datetime(at), None,
                    "e-commerce", changed_lines, "", ts_datetime(at),
                )
            )  # fmt: skip
            self.count.status_changes += 1

    def _status_path(self, pickup: bool, several_units: bool) -> list[tuple[str, float]]:
        """The states an order will go through, with the typical hours between them."""
        r = self.rng.random()
        if pickup:
            if r < 0.05:
                return [("cancelled", 3)]
            if r < 0.09:
                return [("ready", 20), ("not_collected", 8 * 24)]
            if r < 0.12:
                return [("ready", 20), ("collected", 40), ("returned", 7 * 24)]
            return [("ready", 20), ("collected", 40)]
        if r < 0.06:
            return [("cancelled", 3)]
        delivered = [("shipped", 22), ("delivered", 48)]
        if r < 0.10:
            return [*delivered, ("partially_returned" if several_units else "returned", 9 * 24)]
        if r < 0.13:
            return [*delivered, ("returned", 9 * 24)]
        return delivered

    def take(self) -> Tables:
        """The rows generated since the last call."""
        out, self.out = self.out, Tables()
        return out

    def in_store_now(self, regulars: dict[int, list[tuple[int, str, str]]]) -> Tables:
        """People in each store right now, drawn from its regulars, so the home page is never empty in the demo.

        Run once, after every chunk, with the regulars of all chunks: its ids come after the last chunk's block.
        """
        chunks = -(-self.scale.customers // self.scale.chunk)
        self.start_chunk(chunks)
        rng = self.rng
        for store in self.stores:
            wanted = self.scale.in_store_now_per_store + rng.randint(0, self.scale.in_store_now_per_store)
            for who in regulars.get(store.pk, [])[:wanted]:
                self._visit(who, store, self.now_ts - int(rng.uniform(60, 110 * 60)))
        return self.take()
