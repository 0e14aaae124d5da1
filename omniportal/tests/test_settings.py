"""Settings are parsed strictly, and production settings pass Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "False",
    "SECRET_KEY": "k3Jq9-vZ2m!pR7xL_t8wYc4Hn6Fb0sDe1Ga5Ui2Oo3Pl4Kj5Mh6Ng7Bf8Vd9Cs0",
    "ALLOWED_HOSTS": "portal.example.com",
    "DATABASE_URL": "sqlite:///" + str(ROOT / "unused.sqlite3"),
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_a_misspelt_boolean_is_an_error_not_false():
    result = run_manage("check", env={"DEBUG": "flase"})
    assert result.returncode != 0
    assert "DEBUG='flase' is not a boolean" in result.stderr


def test_production_needs_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_check_deploy_has_nothing_to_say_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_an_unsupported_language_is_refused():
    result = run_manage("check", env={"LANGUAGE_CODE": "fr"})
    assert result.returncode != 0
    assert "LANGUAGE_CODE" in result.stderr


@pytest.mark.parametrize("value", ["30", "abc"])
def test_hsts_seconds_must_be_an_integer(value):
    result = run_manage("check", env={**PRODUCTION_ENV, "SECURE_HSTS_SECONDS": value})
    assert (result.returncode == 0) == value.isdigit()


def test_product_image_origins_join_the_image_policy():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])",
        env={"PRODUCT_IMAGE_ORIGINS": "https://img.example.com, https://cdn.example.net:8443/"},
    )
    assert result.returncode == 0, result.stderr
    assert "'https://img.example.com', 'https://cdn.example.net:8443'" in result.stdout


@pytest.mark.parametrize("value", ["img.example.com", "https://img.example.com/products", "javascript:alert(1)", "*"])
def test_a_product_image_origin_must_be_scheme_and_host(value):
    result = run_manage("check", env={"PRODUCT_IMAGE_ORIGINS": value})
    assert result.returncode != 0
    assert "PRODUCT_IMAGE_ORIGINS" in result.stderr and "is not an origin" in result.stderr
