from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db
HUGE = "9" * 30


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", f"/customers/{HUGE}/"),
        ("get", f"/customers/{HUGE}/events/?before=2026-01-01T00:00:00%2B00:00&before_id=1"),
        ("post", f"/customers/{HUGE}/notes/"),
        ("post", f"/customers/{HUGE}/tasks/"),
        ("post", f"/customers/{HUGE}/tasks/{HUGE}/complete/"),
        ("get", "/customers/1/?before=2026-01-01T00:00:00&before_id=" + HUGE),
    ],
)
def test_out_of_range_ids_are_404_not_500(client, associate_milano, method, path):
    client.force_login(associate_milano)
    assert getattr(client, method)(path).status_code == 404


def test_out_of_range_task_of_a_real_customer_is_404(client, associate_milano, giulia):
    client.force_login(associate_milano)
    assert client.post(f"/customers/{giulia.pk}/tasks/{HUGE}/complete/").status_code == 404
