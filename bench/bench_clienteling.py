"""Clienteling (SPEC 2.1): the search-as-you-type partial for each key an associate types, and the 360 profile,
each against the raw SQL of the same work replayed on the harness's own connection in the same run.

The raw figure replays exactly the statements the selectors send (captured in this process from the same code),
so "p95×raw" is the cost of Django, the template and HTTP on top of the database work.

Targets (issue 4): search partial p95 ≤ 25 ms and ≤ 3× its raw SQL; profile page p95 ≤ 60 ms.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

SEARCH_TARGET = "p95 ≤ 25 ms, ≤ 3× raw"
PROFILE_TARGET = "p95 ≤ 60 ms"


def _captured(work: Callable[[], Any]) -> list[str]:
    """The SQL statements `work` sends, parameters inlined by the driver (PostgreSQL), ready to replay."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        work()
    return [query["sql"] for query in ctx.captured_queries]


def _replay(statements: list[str]) -> Callable[[Any], None]:
    def run(cursor) -> None:
        for sql in statements:
            cursor.execute(sql)
            if cursor.description is not None:
                cursor.fetchall()

    return run


def _request_statements(user, path: str) -> list[str]:
    """Every SQL statement one signed-in htmx request for `path` sends (sign-in included), run in this process."""
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    client.get(path, headers={"HX-Request": "true"})  # the first request after sign-in writes the session

    def request() -> None:
        response = client.get(path, headers={"HX-Request": "true"})
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} → {response.status_code}: its SQL is not the page's")

    return _captured(request)


def _seq_scans(ctx, statements: list[str]) -> int:
    scans = 0
    with ctx.cursor() as cursor:
        for sql in statements:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            scans += plan.count("Seq Scan on clienteling_customer")
    return scans


def _pick_customers():
    """A consenting customer with an active cart and the most browsing among a sample, and search keys to type."""
    from django.db.models import Count

    from clienteling.models import Cart, CartStatus, Customer

    with_cart = (
        Cart.objects.filter(status=CartStatus.ACTIVE, customer__consent_clienteling=True, customer__erased_at=None)
        .order_by("-source_updated_at")
        .values_list("customer_id", flat=True)[:200]
    )
    profile = (
        Customer.objects.filter(pk__in=list(with_cart))
        .annotate(event_count=Count("events"))
        .order_by("-event_count", "pk")
        .first()
    )
    typed = (
        Customer.objects.filter(erased_at=None)
        .exclude(email="")
        .exclude(phone_digits="")
        .exclude(loyalty_number=None)
        .order_by("pk")[1000:1001]
        .first()
        or Customer.objects.filter(erased_at=None).exclude(loyalty_number=None).order_by("pk").first()
    )
    return profile, typed


def run(ctx) -> None:
    from django.contrib.auth import get_user_model

    from clienteling import selectors
    from clienteling.models import Customer
    from omniportal.text import fold

    user = get_user_model().objects.filter(username="anna_milano").first()
    if user is None:
        ctx.note("clienteling", "skipped: the demo associate anna_milano is not in this database")
        return
    profile_customer, typed = _pick_customers()
    if typed is None:
        ctx.note("clienteling", "skipped: no customers in this database")
        return
    session = ctx.login("anna_milano")
    session.headers["HX-Request"] = "true"
    ctx.note(
        "clienteling data",
        customers=Customer.objects.count(),
        profile_customer=profile_customer.pk if profile_customer else None,
        profile_events=getattr(profile_customer, "event_count", None),
    )

    surname = fold(typed.last_name).split()[0]
    searches = {
        "name prefix (3 letters of a surname)": surname[:3],
        "name, two words any order": f"{surname} {fold(typed.first_name).split()[0][:3]}",
        "email fragment": typed.email.split("@")[0][-8:],
        "phone digits (national, spaced)": f"{typed.phone_digits[-10:-7]} {typed.phone_digits[-7:]}",
        "loyalty number": typed.loyalty_number,
    }
    # The floor under every search: a signed-in partial with nothing to search (session, sign-in query,
    # middleware, template). Its raw SQL is the one statement it sends, the person's sign-in row.
    floor_statements = _request_statements(user, "/customers/?q=")
    ctx.measure(
        "search partial: empty box (the floor of a signed-in partial)",
        lambda: ctx.check(session.get(ctx.url("/customers/"), params={"q": ""})),
        ctx.repeat(200),
        raw_sql=_replay(floor_statements),
    )
    for label, query in searches.items():
        statements = _captured(lambda query=query: selectors.customers_search(query=query))
        found = len(selectors.customers_search(query=query))
        ctx.note(f"search {label}", repr(query), results=found, seq_scans_on_customer=_seq_scans(ctx, statements))

        def search(query: str = query) -> None:
            response = ctx.check(session.get(ctx.url("/customers/"), params={"q": query}))
            if 'id="search-results"' not in response.text:
                raise RuntimeError("the search partial did not come back")

        ctx.measure(
            f"search partial: {label}",
            search,
            ctx.repeat(200),
            raw_sql=_replay(statements),
            target=SEARCH_TARGET,
        )
        if label == "loyalty number":
            # The same partial beside every statement its request sends (sign-in row and search), not the
            # search's alone: what Django, the template and HTTP add to the whole request's database work.
            ctx.measure(
                f"search partial: {label} (raw: all its request's SQL)",
                search,
                ctx.repeat(200),
                raw_sql=_replay(_request_statements(user, "/customers/?" + urlencode({"q": query}))),
            )
        # The search alone, as the view calls it (ORM, rows fetched, no HTTP, session or template), beside
        # the same SQL raw: what the ORM costs on top of the database.
        ctx.measure(
            f"search selector: {label}",
            lambda query=query: selectors.customers_search(query=query),
            ctx.repeat(200),
            raw_sql=_replay(statements),
            target="≤ 3× raw",
        )

    if profile_customer is None:
        ctx.note("clienteling profile", "skipped: no consenting customer with an active cart")
        return
    # Every SQL statement the profile request sends (session and sign-in included), replayed raw: the page's
    # queries wherever they now live (issue 14 moved the profile to the workspace app, its reads to three apps).
    # Its one write (the access-log row, a fresh UUID each time) is left out of the replay, which would repeat the
    # same key: the raw column is the page's reads.
    everything = _request_statements(user, f"/customers/{profile_customer.pk}/")
    statements = [sql for sql in everything if not sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    ctx.note("profile reads", statements=len(statements), writes_left_out=len(everything) - len(statements))

    def profile() -> None:
        response = ctx.check(session.get(ctx.url(f"/customers/{profile_customer.pk}/"), headers={"HX-Request": None}))
        if 'id="cart"' not in response.text:
            raise RuntimeError("the profile did not show the cart")

    ctx.measure("profile page (360)", profile, ctx.repeat(200), raw_sql=_replay(statements), target=PROFILE_TARGET)
