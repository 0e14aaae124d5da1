"""Today: head office is asked which store, tasks are done from the list (after the page's undo), people have
faces, and an action's message reaches the page that made it and no later one."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clienteling.factories import CustomerFactory, FollowUpTaskFactory, VisitFactory
from clienteling.models import TaskStatus
from omniportal.factories import staff
from omniportal.models import Role

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def task_milano(store_milano, giulia):
    return FollowUpTaskFactory(customer=giulia, store=store_milano, title="Call about the coat")


def _toasts(response) -> list[str]:
    return [toast["text"] for toast in json.loads(response.headers.get("HX-Trigger", "{}")).get("toast", [])]


def test_head_office_on_the_whole_network_is_asked_which_store_not_shown_empty_cards(
    client, head_office, store_milano, store_roma
):
    client.force_login(head_office)
    body = client.get(reverse("home")).content.decode()
    assert 'data-testid="today-choose-store"' in body
    assert body.count('data-testid="today-store-choice"') == 2 and "Milano Duomo" in body and "Roma Corso" in body
    assert 'id="in-store-now"' not in body and 'id="my-tasks"' not in body
    assert "not assigned to a store" not in body


def test_choosing_a_store_on_today_brings_head_office_back_to_that_stores_today(client, head_office, store_roma):
    client.force_login(head_office)
    response = client.post(reverse("choose-store"), {"store": store_roma.pk, "next": reverse("home")}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Today at Roma Corso" in response.content.decode()


def test_a_person_without_a_store_is_told_to_ask_head_office(client, db):
    client.force_login(staff("nobody_here", Role.ASSOCIATE))
    body = client.get(reverse("home")).content.decode()
    assert "not assigned to a store" in body and 'data-testid="today-choose-store"' not in body


def test_in_store_now_shows_each_customers_initials(client, associate_milano, store_milano):
    VisitFactory(store=store_milano, customer=CustomerFactory(first_name="Lucia", last_name="Bianchi"))
    client.force_login(associate_milano)
    body = client.get(reverse("home")).content.decode()
    assert 'aria-hidden="true">LB</span>' in body


def test_a_task_on_today_has_a_done_button_held_behind_an_undo(client, associate_milano, task_milano):
    client.force_login(associate_milano)
    body = client.get(reverse("home")).content.decode()
    row = body.split('data-testid="today-task"')[1].split("</li>")[0]
    assert 'data-undo="Done: Call about the coat"' in row
    assert f'hx-post="{reverse("home-task-done", args=[task_milano.pk])}"' in row


def test_done_from_today_closes_the_task_and_answers_the_list_with_a_toast(client, associate_milano, task_milano):
    client.force_login(associate_milano)
    response = client.post(reverse("home-task-done", args=[task_milano.pk]), headers=HTMX)
    task_milano.refresh_from_db()
    assert task_milano.status == TaskStatus.DONE and task_milano.completed_by == associate_milano
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card" id="my-tasks">') and "Call about the coat" not in body
    assert _toasts(response) == ["Task completed."]
    # The message was the action's, shown where it was made: the next page has none.
    assert "Task completed." not in client.get(reverse("inventory-search")).content.decode()


def test_done_twice_says_so_and_changes_nothing(client, associate_milano, task_milano):
    client.force_login(associate_milano)
    client.post(reverse("home-task-done", args=[task_milano.pk]), headers=HTMX)
    again = client.post(reverse("home-task-done", args=[task_milano.pk]), headers=HTMX)
    assert again.status_code == 200 and _toasts(again) == ["This task is already done."]


def test_done_without_javascript_comes_back_to_today(client, associate_milano, task_milano):
    client.force_login(associate_milano)
    response = client.post(reverse("home-task-done", args=[task_milano.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert "Task completed." in client.get(response["Location"]).content.decode()


def test_another_stores_task_is_404(client, associate_roma, task_milano):
    client.force_login(associate_roma)
    assert client.post(reverse("home-task-done", args=[task_milano.pk]), headers=HTMX).status_code == 404
    task_milano.refresh_from_db()
    assert task_milano.status == TaskStatus.OPEN


def test_the_task_of_a_customer_who_withdrew_consent_is_404(client, associate_milano, task_milano):
    task_milano.customer.consent_clienteling = False
    task_milano.customer.save()
    client.force_login(associate_milano)
    assert client.post(reverse("home-task-done", args=[task_milano.pk])).status_code == 404


def test_done_is_a_post(client, associate_milano, task_milano):
    client.force_login(associate_milano)
    assert client.get(reverse("home-task-done", args=[task_milano.pk])).status_code == 405


def test_task_created_and_completed_on_the_profile_are_toasts_of_that_action(client, associate_milano, giulia):
    client.force_login(associate_milano)
    created = client.post(f"/customers/{giulia.pk}/tasks/", {"title": "Call back"}, headers=HTMX)
    assert _toasts(created) == ["Task created."]
    task = giulia.tasks.get()
    completed = client.post(f"/customers/{giulia.pk}/tasks/{task.pk}/complete/", headers=HTMX)
    assert _toasts(completed) == ["Task completed."]
    later = client.get(reverse("inventory-search")).content.decode()
    assert "Task created." not in later and "Task completed." not in later


def test_a_task_past_its_due_date_says_it_is_overdue(client, associate_milano, store_milano, giulia):
    today = timezone.localdate()
    FollowUpTaskFactory(customer=giulia, store=store_milano, title="Late one", due_on=today - timedelta(days=1))
    FollowUpTaskFactory(customer=giulia, store=store_milano, title="On time", due_on=today)
    client.force_login(associate_milano)
    rows = client.get(reverse("home")).content.decode().split('data-testid="today-task"')[1:]
    late, on_time = (next(row for row in rows if title in row) for title in ("Late one", "On time"))
    assert "overdue" in late.split("</li>")[0] and "overdue" not in on_time.split("</li>")[0]
