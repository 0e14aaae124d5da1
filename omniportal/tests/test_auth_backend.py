from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.mark.django_db
def test_a_signed_in_page_loads_the_person_and_their_role_in_one_query(client, associate_milano):
    client.force_login(associate_milano)
    client.get("/")  # the session and caches settle
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    profile_reads = [q["sql"] for q in captured.captured_queries if "omniportal_staffprofile" in q["sql"]]
    user_reads = [q["sql"] for q in captured.captured_queries if 'FROM "auth_user"' in q["sql"]]
    assert len(user_reads) == 1 and user_reads[0] in profile_reads, captured.captured_queries


@pytest.mark.django_db
def test_a_person_without_a_staff_profile_still_signs_in(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "correct-horse-battery")
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200
