"""Access control for every route, generated from the URL configuration.

Each resolved route of `omniportal.urls` (the i18n pages once, in the default language) is requested by an
anonymous visitor, by people with a lower role than the route needs, by people of another store (Milano asking
for Roma's objects) and, for the API, without a token and with a token that lacks the scope. A route that is
added later lands in these loops by itself: when it is neither refused nor listed in `PUBLIC` (with a reason),
when its URL kwargs are not in `KWARG_VALUES`, or when its object ids are not classified as store-scoped or
network-wide, a test fails and names it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from rest_framework.views import APIView

from clienteling.factories import CartFactory, CustomerFactory, FollowUpTaskFactory
from inventory.factories import ProductFactory
from omniportal.models import Role, TokenScope
from omniportal.services import integration_token_create
from orders.factories import OrderFactory, OrderLineFactory
from orders.models import BasketLine, Order, OrderChannel, OrderStatus, Statement, StatementStatus
from orders.services.baskets import basket_add, basket_open

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"

# Routes an anonymous visitor may use: name → why.
PUBLIC: dict[str, str] = {
    "healthz": "load-balancer and ops probe; answers only whether the database is up",
    "set_language": "the language switcher works before sign-in (Django's i18n view)",
    "api-schema": "the OpenAPI contract is published for integrators (SPEC §3); it holds no data",
    "api-docs": "browsable API docs (SPEC §3); static page around the public schema",
    "login": "the sign-in form",
    "switch-person": "PIN switch on a shared tablet: lists only people who signed in on this device",
    "logout": "signing out needs no sign-in",
    "track": "public delivery tracking at an unguessable token (SPEC §2.3); status and timeline only",
    "admin:login": "the Django admin's own sign-in form",
    "admin:logout": "signing out of the admin needs no sign-in (sends a visitor to the admin's sign-in)",
}

# Pages that need more than the associate role (head office passes every check; the admin is head office's).
MANAGER_ROUTES = {
    "customer-access-log",
    "insights",
    "commissions",
    "commission-statement-approve",
    "commission-statement-dispute",
}
HEAD_OFFICE_ROUTES = {"commissions-network", "commission-statement-finalise", "lockouts"}

# Routes whose URL names an object that belongs to one store: a person of another store must get 404/403.
# name → (role that may use the route, POST data that would change the object if the scope were missing).
STORE_SCOPED: dict[str, tuple[Role, dict[str, str]]] = {
    "order-detail": (Role.ASSOCIATE, {}),
    "order-move": (Role.ASSOCIATE, {"to_status": OrderStatus.CANCELLED}),
    "customer-task-complete": (Role.ASSOCIATE, {}),
    "home-task-done": (Role.ASSOCIATE, {}),
    "commission-statement-approve": (Role.MANAGER, {}),
    "commission-statement-dispute": (Role.MANAGER, {"comment": "These numbers are wrong."}),
}

# Routes with object ids that are deliberately not scoped to a store: name → why.
NETWORK_WIDE: dict[str, str] = {
    "customer-detail": "a customer is the brand's, not a store's: any store recognises the walk-in (SPEC §2.1)",
    "customer-events": "part of the same customer profile",
    "customer-note-add": "notes on the brand's customer, attributed to the author and store",
    "customer-task-add": "the task is created for the signed-in person's own store",
    "basket-from-cart": "the basket is opened at the signed-in person's own store",
    "inventory-detail": "network availability of a SKU is shown to every store (SPEC §2.2)",
    "commission-statement-finalise": "head office only (checked as a role), and head office sees every store",
}


def _pk_owner(name: str) -> str:
    """Which object a bare `pk` kwarg names, by route name; a new route must be added here."""
    owners = {
        "customer-": "customer",
        "basket-from-cart": "customer",
        "commission-statement-": "statement",
        "admin:orders_order_set_location": "order_pk",
    }
    for prefix, owner in owners.items():
        if name.startswith(prefix):
            return owner
    raise LookupError(f"route {name!r}: its `pk` kwarg names an unknown object; extend _pk_owner")


# URL kwarg name → value, built from Roma's objects (`world`).
KWARG_VALUES: dict[str, Callable[[dict[str, Any], str], object]] = {
    "pk": lambda w, name: w[_pk_owner(name)],
    "task_pk": lambda w, name: w["task"].pk,
    "number": lambda w, name: w["order"].number,
    "sku": lambda w, name: w["product"].sku,
    "token": lambda w, name: w["order"].tracking_token,
    "cart_id": lambda w, name: w["cart"].cart_id,
    "external_id": lambda w, name: w["order"].external_id,
    "object_id": lambda w, name: w["order"].pk,
    "content_type_id": lambda w, name: ContentType.objects.get_for_model(Order).pk,
    "id": lambda w, name: w["associate_roma"].pk,
    "app_label": lambda w, name: "orders",
    "url": lambda w, name: "no-such-page/",
}


REGEX_GROUP = r"\(\?P<(\w+)>[^)]*\)"  # re_path: (?P<app_label>auth|orders)
CONVERTER = r"<(?:\w+:)?(\w+)>"  # path: <int:pk>


@dataclass(frozen=True)
class Route:
    route: str  # as written in the URLconf, prefixes joined (default-language form of i18n pages)
    name: str  # namespaced name, or "<ns>:<unnamed route>" for the few unnamed admin routes
    namespace: str
    kwargs: tuple[str, ...]
    callback: Callable

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/v1/")

    @property
    def is_admin(self) -> bool:
        return self.namespace == "admin"

    def path(self, world: dict[str, Any]) -> str:
        unknown = [kwarg for kwarg in self.kwargs if kwarg not in KWARG_VALUES]
        if unknown:
            raise LookupError(
                f"route {self.name!r} (/{self.route}): no value for kwarg(s) {unknown}; extend KWARG_VALUES"
            )
        values = {kwarg: KWARG_VALUES[kwarg](world, self.name) for kwarg in self.kwargs}
        path = re.sub(REGEX_GROUP, lambda m: str(values[m.group(1)]), self.route)
        path = re.sub(CONVERTER, lambda m: str(values[m.group(1)]), path)
        return "/" + path.replace("^", "").replace("$", "")


def _walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            base = pattern.name or f"<unnamed {route}>"
            kwargs = re.findall(REGEX_GROUP, route) + re.findall(CONVERTER, re.sub(REGEX_GROUP, "", route))
            yield Route(route, f"{namespace}:{base}" if namespace else base, namespace, tuple(kwargs), pattern.callback)


ROUTES = list(_walk(get_resolver().url_patterns))
PAGES = [r for r in ROUTES if not r.route.startswith("api/")]
API = [r for r in ROUTES if r.is_api]


def _required_role(route: Route) -> Role:
    if route.is_admin or route.name in HEAD_OFFICE_ROUTES:
        return Role.HEAD_OFFICE
    if route.name in MANAGER_ROUTES:
        return Role.MANAGER
    return Role.ASSOCIATE


def _api_scopes(route: Route) -> dict[str, str]:
    """HTTP method → scope the view needs (IntegrationView.scopes, or a class-level `required_scope`)."""
    view = getattr(route.callback, "view_class", None)
    if view is None or not issubclass(view, APIView):
        return {}
    scopes = dict(getattr(view, "scopes", None) or {})
    fixed = view.__dict__.get("required_scope")
    if isinstance(fixed, str):
        scopes = {method.upper(): fixed for method in view.http_method_names if hasattr(view, method)}
        scopes.pop("OPTIONS", None)
    return scopes


@pytest.fixture
def world(store_roma, associate_roma, manager_roma, store_milano, associate_milano, manager_milano, head_office):
    """One of each store-owned object, all of Roma's."""
    customer = CustomerFactory(city="Roma", postal_code="00186", lat=41.9, lon=12.49)
    product = ProductFactory()
    order = OrderFactory(customer=customer, channel=OrderChannel.ENDLESS_AISLE, selling_store=store_roma)
    OrderLineFactory(order=order, product=product)
    statement = Statement.objects.create(store=store_roma, period=date(2026, 10, 1), status=StatementStatus.CLOSED)
    return {
        "customer": customer.pk,
        "product": product,
        "order": order,
        "order_pk": order.pk,
        "statement": statement.pk,
        "task": FollowUpTaskFactory(customer=customer, store=store_roma, title="Call Roma's customer back"),
        "cart": CartFactory(customer=customer),
        "associate_roma": associate_roma,
        "people": {
            "associate_milano": associate_milano,
            "manager_milano": manager_milano,
            "associate_roma": associate_roma,
            "manager_roma": manager_roma,
            "head_office": head_office,
        },
    }


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _request(client: Client, route: Route, world: dict[str, Any], data: dict | None = None, method: str = ""):
    """GET a page; a POST-only page (405 on GET) gets a POST. Returns (method, response) or raises with the route."""
    path = route.path(world)
    match = resolve(path)
    assert match.func is route.callback, f"{route.name}: built {path!r}, which resolves elsewhere"
    try:
        if method == "POST" or data:
            return "POST", client.post(path, data or {})
        response = client.get(path)
        if response.status_code == 405:
            return "POST", client.post(path, data or {})
        return "GET", response
    except Exception as exc:  # a 500 in the test client surfaces as the view's exception
        raise AssertionError(f"{route.name} ({path}): server error {exc!r}") from exc


def _is_refusal(response, route: Route) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    if response.status_code == 302:
        target = response["Location"]
        login = ADMIN_LOGIN if route.is_admin else LOGIN
        return target.startswith(login)
    return False


def _describe(route: Route, method: str, response) -> str:
    where = f" → {response['Location']}" if response.status_code in (301, 302) else ""
    return f"{route.name} [{method} /{route.route}] answered {response.status_code}{where}"


def test_every_route_is_reachable_with_filled_kwargs(world):
    """Every URL kwarg has a value: a route with a new kwarg fails here until KWARG_VALUES knows it."""
    problems = []
    for route in ROUTES:
        try:
            route.path(world)
        except LookupError as exc:
            problems.append(str(exc))
    assert not problems, "\n".join(problems)


def test_every_route_with_object_ids_is_classified():
    """Object ids in a page URL are either scoped to the person's stores or deliberately network-wide."""
    problems = []
    for route in PAGES:
        if not route.kwargs or route.is_admin or route.name in PUBLIC:
            continue
        if (route.name in STORE_SCOPED) == (route.name in NETWORK_WIDE):
            problems.append(f"{route.name} (/{route.route}): list it in exactly one of STORE_SCOPED or NETWORK_WIDE")
    stale = (set(PUBLIC) | set(STORE_SCOPED) | set(NETWORK_WIDE) | MANAGER_ROUTES | HEAD_OFFICE_ROUTES) - {
        route.name for route in ROUTES
    }
    problems += [f"{name}: listed here but no such route any more" for name in sorted(stale)]
    assert not problems, "\n".join(problems)


def test_anonymous_is_refused_everywhere_but_the_public_routes(world):
    client = _client()
    problems = []
    for route in PAGES:
        method, response = _request(client, route, world)
        if route.name in PUBLIC:
            continue
        login = ADMIN_LOGIN if route.is_admin else LOGIN
        if response.status_code != 302 or not response["Location"].startswith(login):
            problems.append(
                _describe(route, method, response) + " to an anonymous visitor; refuse it or list it in PUBLIC"
            )
    assert not problems, "\n".join(problems)


def test_anonymous_is_sent_to_sign_in_on_the_italian_pages_too(world):
    """The i18n pages also live under /it/…: the same refusal there (portal pages; the admin is shared)."""
    client = _client()
    problems = []
    for route in PAGES:
        if route.name in PUBLIC or route.is_admin:
            continue
        path = "/it" + route.path(world)
        response = client.get(path)
        if response.status_code == 405:
            response = client.post(path)
        if response.status_code != 302 or "/accounts/login/" not in response["Location"]:
            problems.append(f"{route.name} ({path}): {response.status_code} to an anonymous visitor")
    assert not problems, "\n".join(problems)


def test_api_without_a_token_is_401_and_without_the_scope_is_403(world):
    problems = []
    anonymous = _client()
    session_only = _client(world["people"]["head_office"])  # a signed-in person is not an integration client
    for route in API:
        scopes = _api_scopes(route)
        if not scopes:
            problems.append(f"{route.name} (/{route.route}): no scope declared (IntegrationView.scopes)")
            continue
        path = route.path(world)
        for method, scope in scopes.items():
            others = [s for s in TokenScope.values if s != scope]
            _token, key = integration_token_create(name=f"{route.name} {method} without {scope}", scopes=others)
            call = getattr(anonymous, method.lower())
            for label, response in (
                ("no token", call(path, content_type="application/json")),
                ("session, no token", getattr(session_only, method.lower())(path, content_type="application/json")),
                ("bad token", call(path, content_type="application/json", HTTP_AUTHORIZATION="Token nope")),
            ):
                if response.status_code != 401:
                    problems.append(f"{route.name} {method} with {label}: {response.status_code}, expected 401")
            response = call(path, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}")
            if response.status_code != 403:
                problems.append(f"{route.name} {method} without '{scope}': {response.status_code}, expected 403")
    assert not problems, "\n".join(problems)
    assert {r.name for r in ROUTES if r.route.startswith("api/") and not r.is_api} <= set(PUBLIC)


@pytest.mark.parametrize("who", ["associate_milano", "manager_milano", "no_role"])
def test_lower_roles_are_refused(world, who, django_user_model):
    if who == "no_role":
        user = django_user_model.objects.create_user("signed_in_nobody", password="correct-horse-battery")
        role = None
    else:
        user = world["people"][who]
        role = user.staff_profile.role
    client = _client(user)
    rank = {Role.ASSOCIATE: 1, Role.MANAGER: 2, Role.HEAD_OFFICE: 3}
    problems = []
    for route in PAGES:
        if route.name in PUBLIC:
            continue
        needed = _required_role(route)
        method, response = _request(client, route, world)
        if role is None or rank[Role(role)] < rank[needed]:
            if not _is_refusal(response, route):
                problems.append(_describe(route, method, response) + f" to {who}; it needs {needed.label}")
        elif response.status_code == 403:
            problems.append(
                _describe(route, method, response) + f" to {who}: refused though declared for {needed.label}; "
                "add it to MANAGER_ROUTES or HEAD_OFFICE_ROUTES"
            )
    assert not problems, "\n".join(problems)


def test_head_office_reaches_every_page_without_a_server_error(world):
    """The positive side of the matrix: nothing above passes because a page is broken for everyone.

    The admin answers 403 where a model is append-only (no add or delete permission for anyone): that is the
    admin's own permission model, not a refusal of head office.
    """
    client = _client(world["people"]["head_office"])
    problems = []
    for route in PAGES:
        if route.name in PUBLIC:  # signing out here would end the sweep
            continue
        try:
            method, response = _request(client, route, world)
        except AssertionError as exc:
            problems.append(str(exc))
            continue
        if route.is_admin and response.status_code == 403:
            continue
        if _is_refusal(response, route) and response.status_code != 404:
            problems.append(_describe(route, method, response) + " to head office")
    assert not problems, "\n".join(problems)


def test_milano_cannot_reach_romas_objects(world):
    by_name = {route.name: route for route in PAGES}
    people = world["people"]
    milano = {Role.ASSOCIATE: people["associate_milano"], Role.MANAGER: people["manager_milano"]}
    roma = {Role.ASSOCIATE: people["associate_roma"], Role.MANAGER: people["manager_roma"]}
    order, statement_pk = world["order"], world["statement"]

    def snapshot():
        task = type(world["task"]).objects.get(pk=world["task"].pk)
        return (
            Order.objects.get(pk=order.pk).status,
            Statement.objects.get(pk=statement_pk).status,
            task.status,
        )

    before = snapshot()
    problems = []
    for name, (role, data) in STORE_SCOPED.items():
        route = by_name[name]
        for person in {milano[role], milano[Role.MANAGER]}:
            method, response = _request(_client(person), route, world, data)
            if response.status_code not in (403, 404):
                problems.append(_describe(route, method, response) + f" to {person.username} for Roma's object")
            elif world["order"].number.encode() in response.content and name == "order-detail":
                problems.append(f"{name}: the refusal shows Roma's order")
    assert not problems, "\n".join(problems)
    assert snapshot() == before, "a Milano request changed a Roma object"

    # The same requests from Roma are not refused: the ids above were real, so the 404s mean scoping.
    for name, (role, data) in STORE_SCOPED.items():
        method, response = _request(_client(roma[role]), by_name[name], world, data)
        assert response.status_code not in (403, 404), _describe(by_name[name], method, response) + " to Roma"


def test_network_wide_profile_hides_other_stores_tasks(world):
    """The customer is the brand's, but Roma's follow-up task for them stays Roma's."""
    route = next(route for route in PAGES if route.name == "customer-detail")
    _method, response = _request(_client(world["people"]["associate_milano"]), route, world)
    assert response.status_code == 200
    assert b"Call Roma&#x27;s customer back" not in response.content
    assert b"Call Roma's customer back" not in response.content
    _method, response = _request(_client(world["people"]["associate_roma"]), route, world)
    assert b"Call Roma&#x27;s customer back" in response.content


def test_the_matrix_covers_the_urlconf():
    """A guard against the walk silently finding nothing (for example after a URLconf refactor)."""
    names = {route.name for route in ROUTES}
    assert {"customer-detail", "order-detail", "commissions", "api-orders", "admin:index", "track"} <= names
    assert not [route for route in ROUTES if route.route.startswith("it/")], "i18n pages must appear once"


def test_another_store_named_in_the_query_string_or_form_is_refused(world, store_roma, store_milano):
    """Store pickers outside the URL path: a Milano manager naming Roma gets nothing of Roma's."""
    client = _client(world["people"]["manager_milano"])
    for path in ("/commissions/?store=RM01", "/commissions/?store=RM01&format=csv"):
        assert client.get(path).status_code == 404, path
    response = client.get("/insights/?store=RM01")
    assert response.status_code == 400
    assert b"Roma Corso" not in response.content
    client.post("/store/", {"store": str(store_roma.pk)})
    assert client.session.get("omniportal_store_id") != store_roma.pk


def test_a_basket_line_id_of_another_store_changes_nothing(world, store_roma):
    """Basket routes carry ids in the form, not the URL: Milano's request addresses Milano's basket only."""
    customer = CustomerFactory()
    basket = basket_open(customer=customer, store=store_roma, actor=world["people"]["associate_roma"])
    line = basket_add(basket=basket, product=world["product"], quantity=2)
    client = _client(world["people"]["associate_milano"])
    response = client.post("/orders/basket/line/", {"customer": customer.pk, "line": line.pk, "quantity": 0})
    assert response.status_code == 302  # "This basket is no longer open." on Milano's checkout, not a bare 404
    assert BasketLine.objects.get(pk=line.pk).quantity == 2
    response = client.post("/orders/basket/place/", {"customer": customer.pk, "till_receipt": "T-1"})
    assert response.status_code == 400
    assert not Order.objects.filter(customer=customer).exists()
