from __future__ import annotations

import pytest

from clienteling.factories import FollowUpTaskFactory
from clienteling.models import FollowUpTask, Note, TaskStatus
from clienteling.services import (
    ConsentMissing,
    NotAColleague,
    TaskNotOpen,
    followup_task_complete,
    followup_task_create,
)

pytestmark = pytest.mark.django_db


def test_associate_adds_a_note_signed_with_their_name_and_store(client, associate_milano, giulia, store_milano):
    client.force_login(associate_milano)
    response = client.post(f"/customers/{giulia.pk}/notes/", {"body": "  Wants the navy coat in 42  "})
    assert response.status_code == 302 and response["Location"].endswith("#notes")
    note = Note.objects.get()
    assert (note.author, note.store, note.body) == (associate_milano, store_milano, "Wants the navy coat in 42")


def test_note_via_htmx_returns_the_notes_partial_with_author(client, associate_milano, giulia):
    client.force_login(associate_milano)
    body = client.post(
        f"/customers/{giulia.pk}/notes/", {"body": "Likes silk"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in body and "Likes silk" in body and "Anna Test" in body


@pytest.mark.parametrize("data", [{}, {"body": ""}, {"body": "   "}, {"body": "x" * 5000}])
def test_empty_or_oversized_note_is_refused_without_error(client, associate_milano, giulia, data):
    client.force_login(associate_milano)
    assert client.post(f"/customers/{giulia.pk}/notes/", data).status_code == 302
    assert not Note.objects.exists()


def test_notes_are_write_only_by_post(client, associate_milano, giulia):
    client.force_login(associate_milano)
    assert client.get(f"/customers/{giulia.pk}/notes/").status_code == 405


def test_task_is_created_for_this_store_and_assigned_to_a_colleague(
    client, associate_milano, manager_milano, giulia, store_milano
):
    client.force_login(associate_milano)
    client.post(
        f"/customers/{giulia.pk}/tasks/",
        {"title": "Call when the coat arrives", "due_on": "2026-12-01", "assigned_to": manager_milano.pk},
    )
    task = FollowUpTask.objects.get()
    assert (task.store, task.assigned_to, task.created_by, str(task.due_on)) == (
        store_milano,
        manager_milano,
        associate_milano,
        "2026-12-01",
    )


def test_task_cannot_be_assigned_to_someone_from_another_store(client, associate_milano, associate_roma, giulia):
    client.force_login(associate_milano)
    client.post(f"/customers/{giulia.pk}/tasks/", {"title": "x", "assigned_to": associate_roma.pk})
    assert not FollowUpTask.objects.exists()


def test_task_service_refuses_an_assignee_outside_the_store(associate_roma, giulia, store_milano):
    with pytest.raises(NotAColleague):
        followup_task_create(customer=giulia, store=store_milano, title="x", assigned_to=associate_roma)


@pytest.mark.parametrize(
    "data", [{}, {"title": ""}, {"title": "x", "due_on": "tomorrow"}, {"title": "x", "assigned_to": "abc"}]
)
def test_malformed_task_is_refused_without_error(client, associate_milano, giulia, data):
    client.force_login(associate_milano)
    assert client.post(f"/customers/{giulia.pk}/tasks/", data).status_code == 302
    assert not FollowUpTask.objects.exists()


def test_associate_completes_a_task_of_their_store(client, associate_milano, giulia, store_milano):
    task = FollowUpTaskFactory(customer=giulia, store=store_milano)
    client.force_login(associate_milano)
    body = client.post(f"/customers/{giulia.pk}/tasks/{task.pk}/complete/", HTTP_HX_REQUEST="true").content.decode()
    task.refresh_from_db()
    assert (task.status, task.completed_by) == (TaskStatus.DONE, associate_milano)
    assert task.title not in body


def test_other_stores_task_is_404(client, associate_roma, giulia, store_milano):
    task = FollowUpTaskFactory(customer=giulia, store=store_milano)
    client.force_login(associate_roma)
    assert client.post(f"/customers/{giulia.pk}/tasks/{task.pk}/complete/").status_code == 404
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_other_stores_tasks_are_not_listed_on_the_profile(client, associate_roma, giulia, store_milano):
    FollowUpTaskFactory(customer=giulia, store=store_milano, title="Milano only")
    client.force_login(associate_roma)
    assert "Milano only" not in client.get(f"/customers/{giulia.pk}/").content.decode()


def test_completing_twice_completes_once(associate_milano, manager_milano, giulia, store_milano):
    task = FollowUpTaskFactory(customer=giulia, store=store_milano)
    followup_task_complete(task=task, user=associate_milano)
    with pytest.raises(TaskNotOpen):
        followup_task_complete(task=task, user=manager_milano)
    task.refresh_from_db()
    assert task.completed_by == associate_milano


def test_task_with_a_reference_is_created_once(giulia, store_milano):
    first = followup_task_create(
        customer=giulia, store=store_milano, title="After-sales call", reference="aftersales:OP-1"
    )
    again = followup_task_create(
        customer=giulia, store=store_milano, title="After-sales call", reference="aftersales:OP-1"
    )
    assert first.pk == again.pk and FollowUpTask.objects.count() == 1


def test_no_task_is_created_for_a_customer_without_consent(bruno, store_milano):
    with pytest.raises(ConsentMissing):
        followup_task_create(customer=bruno, store=store_milano, title="Call back", reference="aftersales:OP-2")
    assert not FollowUpTask.objects.exists()


def test_home_no_longer_lists_a_task_once_the_customer_withdraws_consent(
    client, associate_milano, giulia, store_milano
):
    FollowUpTaskFactory(customer=giulia, store=store_milano, title="Call about the navy coat")
    client.force_login(associate_milano)
    assert "Call about the navy coat" in client.get("/").content.decode()
    giulia.consent_clienteling = False
    giulia.save()
    # The profile hides tasks without consent, so a listed task could never be completed.
    assert "Call about the navy coat" not in client.get("/").content.decode()
