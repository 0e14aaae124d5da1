"""The demo's product pictures: drawn in Python, committed as static files, one for every product it seeds."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

from demo import data
from demo.product_images import IMAGES_DIR, KIND_SHAPES, SHAPES, all_images, image_path, write_images
from inventory.models import Product

COMMITTED = Path(settings.BASE_DIR) / "static" / IMAGES_DIR


def test_the_committed_pictures_are_what_the_drawings_give():
    """Change a drawing, run `manage.py demo_product_images`, commit the files: this says when one was forgotten."""
    images = all_images()
    assert sorted(path.name for path in COMMITTED.glob("*.svg")) == sorted(images)
    for name, svg in images.items():
        assert (COMMITTED / name).read_text(encoding="utf-8") == svg, name


def test_every_kind_of_the_catalogue_has_its_own_drawing():
    kinds = {kind for _code, _name, kinds, *_rest in data.CATEGORIES for kind, _low, _high in kinds}
    assert kinds <= set(KIND_SHAPES)
    assert set(KIND_SHAPES.values()) <= set(SHAPES)


def test_pictures_are_small_well_formed_svg():
    for name, svg in all_images().items():
        assert len(svg.encode()) < 1200, name
        assert ET.fromstring(svg).tag == "{http://www.w3.org/2000/svg}svg"


def test_writing_the_pictures_removes_drawings_that_no_longer_exist(tmp_path):
    (tmp_path / "retired-nero.svg").write_text("<svg/>")
    assert write_images(tmp_path) == len(all_images())
    assert not (tmp_path / "retired-nero.svg").exists()


def test_a_product_shows_the_picture_of_its_kind_in_its_colour():
    assert image_path("Cappotto", "cammello") == f"{settings.STATIC_URL}demo/products/coat-cammello.svg"
    assert image_path("Set piatti", "écru").endswith("/plate-ecru.svg")
    assert image_path("A kind nobody drew", "nero").endswith("/box-nero.svg")


@pytest.mark.django_db
def test_every_seeded_product_points_at_a_picture_that_is_served():
    call_command("seed_demo", "--scale", "tiny", "--skip-derived", stdout=StringIO(), stderr=StringIO())
    urls = set(Product.objects.values_list("image_url", flat=True))
    assert urls and all(url.startswith(f"{settings.STATIC_URL}{IMAGES_DIR}/") for url in urls)
    for url in urls:
        assert finders.find(url.removeprefix(settings.STATIC_URL)), url
    # Each picture is of the product's own kind and colour, both read back from its name ("Cappotto …, cammello").
    for name, url in Product.objects.values_list("name", "image_url"):
        kind = max((kind for kind in KIND_SHAPES if name.startswith(f"{kind} ")), key=len)
        assert url == image_path(kind, name.rsplit(", ", 1)[1]), name
