"""`python manage.py demo_product_images`: (re)draw the demo catalogue's pictures into static/demo/products/."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from demo.product_images import IMAGES_DIR, write_images


class Command(BaseCommand):
    help = "Write the demo catalogue's product pictures (SVG, one per kind and colour) under static/demo/products/."

    def handle(self, *args, **options) -> None:
        directory = Path(settings.BASE_DIR) / "static" / IMAGES_DIR
        count = write_images(directory)
        self.stdout.write(f"{count} pictures in {directory}")
