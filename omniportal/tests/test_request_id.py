from __future__ import annotations

import json
import logging
import logging.config
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import path

from omniportal.logging_config import JsonFormatter, PlainFormatter, RequestContextFilter, build_logging
from omniportal.request_id import current_request_id, request_id_var

logger = logging.getLogger("omniportal.tests.request_id")

REQUEST_ID_MIDDLEWARE = "omniportal.request_id.RequestIdMiddleware"
# Where settings.py puts it: right after ServerTimingMiddleware (when on), before everything else.
WITH_REQUEST_ID = [
    *(m for m in settings.MIDDLEWARE if m == "omniportal.middleware.ServerTimingMiddleware"),
    REQUEST_ID_MIDDLEWARE,
    *(
        m
        for m in settings.MIDDLEWARE
        if m not in {"omniportal.middleware.ServerTimingMiddleware", REQUEST_ID_MIDDLEWARE}
    ),
]


def logging_view(request: HttpRequest) -> HttpResponse:
    """Asks who is signed in (as any page does), then logs."""
    who = "signed in" if request.user.is_authenticated else "anonymous"
    logger.warning("a line from the view (%s)", who)
    return HttpResponse(current_request_id() or "")


urlpatterns = [path("logs/", logging_view)]

with_request_id = override_settings(MIDDLEWARE=WITH_REQUEST_ID, ROOT_URLCONF=__name__)


@pytest.fixture
def context_caplog(caplog):
    """caplog with the request-context filter on its handler, as LOGGING puts it on the console handler."""
    context_filter = RequestContextFilter()
    caplog.handler.addFilter(context_filter)
    caplog.set_level(logging.INFO, logger=logger.name)
    yield caplog
    caplog.handler.removeFilter(context_filter)


@with_request_id
@pytest.mark.django_db
def test_a_request_without_an_id_gets_a_fresh_one_in_the_response_header(client):
    first = client.get("/logs/")
    second = client.get("/logs/")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert first.content.decode() == first["X-Request-ID"]  # the view saw the same id


@with_request_id
@pytest.mark.django_db
def test_a_sane_incoming_request_id_is_echoed(client):
    response = client.get("/logs/", headers={"X-Request-ID": "lb-7f3a.42_x"})
    assert response["X-Request-ID"] == "lb-7f3a.42_x"


@with_request_id
@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad", ["a" * 65, "has space", 'quote"d', "new\nline", "semi;colon", "ünïcode", "<script>"], ids=repr
)
def test_a_bad_incoming_request_id_is_replaced(client, bad):
    response = client.get("/logs/", headers={"X-Request-ID": bad})
    assert response["X-Request-ID"] != bad
    assert len(response["X-Request-ID"]) == 32


@with_request_id
@pytest.mark.django_db
def test_responses_made_by_other_middleware_carry_the_id_too(client):
    response = client.get("/logs/%00", headers={"X-Request-ID": "nul-refused"})  # RefuseNulMiddleware's 400
    assert response.status_code == 400
    assert response["X-Request-ID"] == "nul-refused"


@with_request_id
@pytest.mark.django_db
def test_the_request_id_is_on_every_log_line_of_the_request_and_gone_after_it(client, context_caplog):
    client.get("/logs/", headers={"X-Request-ID": "req-123"})
    [record] = [r for r in context_caplog.records if r.name == logger.name]
    assert record.request_id == "req-123"
    assert not hasattr(record, "user_id")  # anonymous
    assert current_request_id() is None


@with_request_id
@pytest.mark.django_db
def test_djangos_own_not_found_line_carries_the_request_id(client, context_caplog):
    # django.request logs 4xx/5xx responses after the middleware chain has returned.
    response = client.get("/no-such-page/", headers={"X-Request-ID": "req-404"})
    assert response.status_code == 404
    [record] = [r for r in context_caplog.records if r.name == "django.request"]
    assert (record.levelname, record.request_id) == ("WARNING", "req-404")
    assert current_request_id() is None


@with_request_id
@pytest.mark.django_db
def test_a_signed_in_persons_user_id_and_nothing_else_about_them_is_logged(client, associate_milano, context_caplog):
    client.force_login(associate_milano)
    client.get("/logs/", headers={"X-Request-ID": "req-456"})
    [record] = [r for r in context_caplog.records if r.name == logger.name]
    assert (record.request_id, record.user_id) == ("req-456", associate_milano.pk)
    line = JsonFormatter().format(record)
    assert associate_milano.username not in line
    assert "@" not in line


def test_lines_outside_a_request_have_no_request_id(context_caplog):
    logger.warning("from a management command")
    assert context_caplog.records[-1].request_id is None
    assert (
        PlainFormatter()
        .format(context_caplog.records[-1])
        .endswith("[request_id=- user_id=-] from a management command")
    )


def test_the_plain_formatter_leaves_the_record_for_the_next_handler_unchanged():
    record = logger.makeRecord(logger.name, logging.INFO, __file__, 1, "hello", (), None)
    RequestContextFilter().filter(record)
    assert "[request_id=- user_id=-] hello" in PlainFormatter().format(record)
    assert record.request_id is None
    assert json.loads(JsonFormatter().format(record))["request_id"] is None


def test_the_json_formatter_writes_one_parseable_object_with_the_fields():
    token = request_id_var.set("req-json")
    try:
        record = logger.makeRecord(
            logger.name, logging.ERROR, __file__, 1, "stock for %s: %d", ("MI01", 3), None, extra={"store": "MI01"}
        )
        try:
            raise ValueError("boom")
        except ValueError:
            record.exc_info = sys.exc_info()
        RequestContextFilter().filter(record)
        line = JsonFormatter().format(record)
    finally:
        request_id_var.reset(token)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["logger"] == logger.name
    assert entry["message"] == "stock for MI01: 3"
    assert entry["request_id"] == "req-json"
    assert entry["store"] == "MI01"
    assert entry["time"].endswith("+00:00")
    assert "ValueError: boom" in entry["exception"]


def test_the_json_formatter_keeps_the_path_of_djangos_request_but_not_its_query_string(rf):
    request = rf.get("/customers/", {"q": "mario.rossi@example.com"})
    record = logger.makeRecord(
        logger.name, logging.WARNING, __file__, 1, "Bad Request", (), None, extra={"request": request}
    )
    entry = json.loads(JsonFormatter().format(record))
    assert (entry["method"], entry["path"]) == ("GET", "/customers/")
    assert "mario" not in json.dumps(entry)


@pytest.fixture
def restore_logging():
    yield
    logging.config.dictConfig(settings.LOGGING)


@pytest.mark.django_db
def test_build_logging_json_writes_request_lines_as_json_to_stderr(client, capsys, restore_logging):
    logging.config.dictConfig(build_logging("info", "json"))
    with override_settings(MIDDLEWARE=WITH_REQUEST_ID, ROOT_URLCONF=__name__):
        client.get("/logs/", headers={"X-Request-ID": "req-789"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert {"level": "WARNING", "logger": logger.name, "request_id": "req-789"}.items() <= lines[-1].items()


def test_build_logging_plain_is_the_readable_one_and_validates_its_input():
    config = build_logging("INFO", "plain")
    assert config["handlers"]["console"]["formatter"] == "plain"
    assert config["handlers"]["console"]["filters"] == ["request_context"]
    with pytest.raises(ImproperlyConfigured):
        build_logging("INFO", "xml")
    with pytest.raises(ImproperlyConfigured):
        build_logging("LOUD", "json")
