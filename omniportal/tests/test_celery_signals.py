from __future__ import annotations

import logging

import pytest
from celery import shared_task
from django.conf import settings
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path

from omniportal.celery import app
from omniportal.celery_signals import add_request_id_header
from omniportal.logging_config import RequestContextFilter
from omniportal.request_id import current_request_id, request_id_var

task_logger = logging.getLogger("omniportal.tests.celery_signals")


class Boom(Exception):
    pass


@shared_task(name="omniportal.tests.explode")
def explode(order_id: int) -> None:
    task_logger.warning("about to fail for order %s", order_id)
    raise Boom(f"order {order_id} exploded")


@shared_task(name="omniportal.tests.report_request_id")
def report_request_id() -> str | None:
    task_logger.info("running")
    return current_request_id()


@shared_task(name="omniportal.tests.flaky", bind=True, max_retries=1)
def flaky(self) -> None:
    if self.request.retries == 0:
        raise self.retry(exc=ConnectionError("broker hiccup"), countdown=0)


def enqueue_view(request):
    explode.delay(7)
    return HttpResponse("ok")


urlpatterns = [path("enqueue/", enqueue_view)]


@pytest.fixture
def celery_caplog(caplog):
    """caplog with the request-context filter on its handler, as LOGGING puts it on the console handler."""
    context_filter = RequestContextFilter()
    caplog.handler.addFilter(context_filter)
    caplog.set_level(logging.INFO)
    yield caplog
    caplog.handler.removeFilter(context_filter)


@pytest.fixture
def eager_like_a_worker():
    """Eager tasks, but a failure is recorded (and signalled) as in a worker, not raised into the caller.

    With CELERY_TASK_EAGER_PROPAGATES (our settings) Celery re-raises before it sends task_failure.
    """
    saved = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = saved


@pytest.fixture
def in_request():
    token = request_id_var.set("req-celery-1")
    yield "req-celery-1"
    request_id_var.reset(token)


def failure_records(caplog):
    return [r for r in caplog.records if r.name == "omniportal.celery" and getattr(r, "event", "") == "task_failure"]


def test_a_failing_task_logs_an_error_with_its_name_id_exception_and_request_id(
    in_request, eager_like_a_worker, celery_caplog
):
    assert settings.CELERY_TASK_ALWAYS_EAGER
    assert explode.delay(42).failed()
    [record] = failure_records(celery_caplog)
    assert record.levelno == logging.ERROR
    assert record.task_name == "omniportal.tests.explode"
    assert record.task_id
    assert record.request_id == "req-celery-1"
    assert record.exception_type == "Boom"
    message = record.getMessage()
    assert "omniportal.tests.explode" in message and "req-celery-1" in message and "order 42 exploded" in message


@pytest.mark.django_db
def test_a_task_enqueued_by_a_request_fails_with_that_requests_id(client, eager_like_a_worker, celery_caplog):
    middleware = ["omniportal.request_id.RequestIdMiddleware", *settings.MIDDLEWARE]
    with override_settings(MIDDLEWARE=middleware, ROOT_URLCONF=__name__):
        response = client.get("/enqueue/", headers={"X-Request-ID": "req-from-tablet"})
    assert response["X-Request-ID"] == "req-from-tablet"
    [record] = failure_records(celery_caplog)
    assert (record.task_name, record.request_id) == ("omniportal.tests.explode", "req-from-tablet")


def test_a_retry_logs_a_warning_with_the_task_and_request_id(in_request, eager_like_a_worker, celery_caplog):
    flaky.delay()
    [record] = [r for r in celery_caplog.records if getattr(r, "event", "") == "task_retry"]
    assert record.levelno == logging.WARNING
    assert (record.task_name, record.request_id) == ("omniportal.tests.flaky", "req-celery-1")
    assert "broker hiccup" in record.getMessage()


def test_publishing_from_a_request_puts_its_id_in_the_task_headers(in_request):
    headers: dict[str, object] = {"id": "abc"}
    add_request_id_header(sender="omniportal.tests.explode", headers=headers)
    assert headers["request_id"] == "req-celery-1"


def test_publishing_outside_a_request_adds_no_header():
    headers: dict[str, object] = {}
    add_request_id_header(sender="orders.tasks_commissions.sweep", headers=headers)
    assert headers == {}


def test_the_worker_restores_the_request_id_from_the_header_for_the_run_only(celery_caplog):
    assert current_request_id() is None
    result = report_request_id.apply(headers={"request_id": "req-from-header"})
    assert result.get() == "req-from-header"
    [record] = [r for r in celery_caplog.records if r.name == task_logger.name]
    assert record.task_name == "omniportal.tests.report_request_id"  # the log filter names the task it runs in
    assert current_request_id() is None  # restored after the run


def test_a_header_that_is_not_a_sane_request_id_is_ignored():
    result = report_request_id.apply(headers={"request_id": "not a sane id\n"})
    assert result.get() is None
