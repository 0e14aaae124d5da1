"""The load test's simulated people (issue 8): store associates on tablets and the website's integration.

Started by `python -m bench.load` (`make load`), which writes the fixtures this file reads from
`LOAD_FIXTURES` (a JSON file): signed-in sessions, customers per store, SKUs, the API token. Only ever
pointed at a loopback address.

- `Associate` (most users): search a customer as they type, open the profile, check a product's network
  stock, and now and then place an endless-aisle order of one line for that customer. 5–15 s between actions
  (LOAD_THINK), as a person serving a customer.
- `Website` (a fixed few): pushes batches of browsing events and reads store availability, as the
  e-commerce site does.
"""

from __future__ import annotations

import json
import os
import random
import uuid
from datetime import UTC, datetime
from itertools import count

from locust import HttpUser, between, task

with open(os.environ["LOAD_FIXTURES"], encoding="utf-8") as handle:
    FIXTURES = json.load(handle)

_people = count()


class Associate(HttpUser):
    weight = 50
    # A person on a tablet between two actions: reads the profile, talks to the customer (LOAD_THINK=2,6 for a
    # stress run).
    wait_time = between(*(float(x) for x in os.environ.get("LOAD_THINK", "5,15").split(",")))

    def on_start(self) -> None:
        person = FIXTURES["associates"][next(_people) % len(FIXTURES["associates"])]
        self.store = person["store"]
        self.customers = person["customers"]
        self.client.cookies.set(FIXTURES["session_cookie"], person["session"])
        self.client.cookies.set(FIXTURES["csrf_cookie"], person["csrf"])
        self.client.headers.update({"X-CSRFToken": person["csrf"], "Referer": self.host + "/"})
        self.rng = random.Random(person["session"])

    @task(5)
    def search_and_profile(self) -> None:
        customer = self.rng.choice(self.customers)
        for length in (3, len(customer["query"])):  # typing: the partial after 3 letters, then the full name
            self.client.get(
                "/customers/", params={"q": customer["query"][:length]}, headers={"HX-Request": "true"},
                name="/customers/?q= (partial)",
            )  # fmt: skip
        self.client.get(f"/customers/{customer['id']}/", name="/customers/{id}/")

    @task(3)
    def network_stock(self) -> None:
        self.client.get(f"/inventory/{self.rng.choice(FIXTURES['skus'])}/", name="/inventory/{sku}/")

    @task(1)
    def endless_aisle_order(self) -> None:
        customer = self.rng.choice(self.customers)
        sku = self.rng.choice(FIXTURES["order_skus"])
        added = self.client.post(
            "/orders/basket/add/", data={"customer": customer["id"], "sku": sku, "quantity": 1},
            allow_redirects=False, name="/orders/basket/add/",
        )  # fmt: skip
        if added.status_code != 302:
            return
        self.client.get(f"/orders/new/?customer={customer['id']}", name="/orders/new/?customer=")
        address = customer["address"]
        with self.client.post(
            "/orders/basket/place/", data={"customer": customer["id"], "till_receipt": "LOAD", **address},
            allow_redirects=False, name="/orders/basket/place/", catch_response=True,
        ) as placed:  # fmt: skip
            if placed.status_code != 302 or "/orders/" not in placed.headers.get("Location", ""):
                placed.failure(f"placing answered {placed.status_code}")


class Website(HttpUser):
    fixed_count = 4
    wait_time = between(0.5, 1.5)
    _sequence = count()

    def on_start(self) -> None:
        self.client.headers.update({"Authorization": f"Token {FIXTURES['api_key']}"})
        self.rng = random.Random(next(self._sequence))

    @task(3)
    def push_events(self) -> None:
        now = datetime.now(UTC).isoformat()
        events = []
        for _ in range(200):
            customer = self.rng.choice(FIXTURES["external_ids"]) if self.rng.random() < 0.6 else None
            event = {
                "event_id": str(uuid.uuid4()), "type": "product_view", "occurred_at": now,
                "session_id": f"load-{self.rng.randrange(10**9)}", "channel": "web",
                "sku": self.rng.choice(FIXTURES["skus"]), "device": "load",
            }  # fmt: skip
            if customer:
                event["customer_external_id"] = customer
            events.append(event)
        self.client.post("/api/v1/events/", json={"events": events}, name="/api/v1/events/ (200)")

    @task(2)
    def availability(self) -> None:
        lat, lon = 36.5 + self.rng.random() * 10.5, 6.7 + self.rng.random() * 11.8
        self.client.get(
            "/api/v1/availability/", params={"sku": self.rng.choice(FIXTURES["skus"]), "lat": lat, "lon": lon},
            name="/api/v1/availability/",
        )  # fmt: skip
