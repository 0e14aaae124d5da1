"""The demo catalogue's pictures: one small SVG per kind of product and colour, drawn here and committed under
static/demo/products/, so `make run` shows a picture for every product with no internet and no image host.

`python manage.py demo_product_images` rewrites the files from these drawings (a test checks that the committed
files are what the drawings give); seed_demo points each product's image_url at the file of its kind and colour
(`image_path`). Real catalogues send their own image URLs (PRODUCT_IMAGE_ORIGINS).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils.text import slugify

from . import data

IMAGES_DIR = "demo/products"  # under static/

# The catalogue's colours (demo/data.py COLOURS) as paint.
COLOUR_HEX = {
    "blu notte": "#1f2a44",
    "nero": "#1e1e1e",
    "bianco ottico": "#fafaf5",
    "cammello": "#c19a6b",
    "grigio melange": "#9ea2a6",
    "verde salvia": "#9caf88",
    "bordeaux": "#6d1a2a",
    "écru": "#efe4cc",
    "cipria": "#e8c2bd",
    "terracotta": "#c4623f",
    "tabacco": "#7b4b2a",
    "azzurro": "#86b7e6",
    "sabbia": "#d9c8a2",
    "antracite": "#3b3f44",
}
BACKGROUND = "#e9edf0"

# One drawing per shape on a 96 × 96 canvas: the item's outline (`body`, painted in the product's colour) and
# its details (`lines`, strokes only). Simple on purpose: a thumbnail of 40-56 px says "a coat, camel".
SHAPES: dict[str, tuple[str, str]] = {
    "dress": (
        "M38 12h20l2 12-5 14 17 46H24l17-46-5-14z",
        "M38 12l-2-4M58 12l2-4M36 38h24",
    ),
    "shirt": (
        "M36 14l-18 8-8 20 10 4 6-12v50h44V34l6 12 10-4-8-20-18-8-6 6h-12z",
        "M48 20v64M42 14l6 8 6-8M48 34h0M48 48h0M48 62h0",
    ),
    "tshirt": (
        "M36 14l-22 10 6 16 10-4v46h36V36l10 4 6-16-22-10c-2 6-6 8-12 8s-10-2-12-8z",
        "M40 16c2 4 5 5 8 5s6-1 8-5",
    ),
    "tank": (
        "M36 12c0 10 4 16 12 16s12-6 12-16l6 2c-2 10 0 18 6 24v46H24V38c6-6 8-14 6-24z",
        "",
    ),
    "sweater": (
        "M36 14l-18 8-8 44 10 2 8-32v48h40V34l8 32 10-2-8-44-18-8c-2 5-6 7-12 7s-10-2-12-7z",
        "M30 76h36M16 64l10 2M80 64l-10 2M38 16c2 5 6 6 10 6s8-1 10-6",
    ),
    "jacket": (
        "M34 12l-16 8-8 48 10 2 8-32v44h40V38l8 32 10-2-8-48-16-8-14 16z",
        "M48 28v54M34 12l8 26 6-10M62 12l-8 26-6-10M36 62h8M52 62h8",
    ),
    "coat": (
        "M34 8l-16 8-8 54 10 2 8-34v52h40V38l8 34 10-2-8-54-16-8-14 16z",
        "M48 24v64M34 8l8 26 6-10M62 8l-8 26-6-10M52 42h0M52 56h0M52 70h0",
    ),
    "vest": (
        "M34 12c2 14 6 24 14 30 8-6 12-16 14-30l8 4c-2 12 0 20 4 26v44H22V42c4-6 6-14 4-26z",
        "M48 42v44M52 56h0M52 70h0",
    ),
    "trousers": (
        "M28 10h40l6 78H56L48 36l-8 52H22z",
        "M28 18h40M48 18v18",
    ),
    "shorts": (
        "M24 24h48l6 44H54l-6-22-6 22H18z",
        "M24 32h48M48 32v14",
    ),
    "skirt": (
        "M32 18h32l14 62H18z",
        "M32 26h32M40 26l-6 54M56 26l6 54",
    ),
    "onesie": (
        "M38 12l-18 8-6 20 10 4 4-8v30l-6 22h16l6-14 6 14h16l-6-22V36l4 8 10-4-6-20-18-8c-2 4-6 6-10 6s-8-2-10-6z",
        "M48 22v40",
    ),
    "socks": (
        "M34 10h22v44l20 14c6 5 4 18-6 18-4 0-7-1-10-3L34 66z",
        "M34 18h22M58 62l-6 10",
    ),
    "sneaker": (
        "M10 64c0-10 4-20 10-26l14 6 14-8 12 14 20 6c6 2 8 6 8 12v8H10z",
        "M10 72h78M30 46l6 6M38 42l6 6M46 40l6 6",
    ),
    "shoe": (
        "M8 62c4-10 14-14 26-12l20 2c14 2 26 6 32 14v10H8z",
        "M8 70h78M32 52c6 6 16 6 22 2",
    ),
    "heel": (
        "M14 50c10 2 20 8 30 16 10 6 22 8 34 6 6-1 8 4 4 8H36l-6-14-8 2-2 14h-6V50z",
        "",
    ),
    "boot": (
        "M30 16h24v40l22 8c6 2 10 8 10 14v6H30z",
        "M30 78h56M54 28h-6M54 38h-6M54 48h-6",
    ),
    "bag": (
        "M18 40h60l-4 44H22z",
        "M32 40c0-16 6-24 16-24s16 8 16 24M18 52h60M44 52v6h8v-6",
    ),
    "tote": (
        "M20 36h56l4 50H16z",
        "M34 36V24c0-6 4-10 14-10s14 4 14 10v12",
    ),
    "backpack": (
        "M28 24c0-10 8-14 20-14s20 4 20 14v58c0 3-2 6-6 6H34c-4 0-6-3-6-6z",
        "M34 50h28v22H34zM40 10v-2h16v2",
    ),
    "wallet": (
        "M14 30h68v40H14z",
        "M14 42h68M62 50h20v12H62z",
    ),
    "belt": (
        "M8 44h80v12H8z",
        "M18 40h16v20H18zM26 50h12M50 50h0M60 50h0M70 50h0",
    ),
    "scarf": (
        "M26 16c8-6 36-6 44 0l-8 16 4 54H52l-4-40-4 40H30l4-54z",
        "M32 86v5M37 86v5M42 86v5M54 86v5M59 86v5M64 86v5M34 32h28",
    ),
    "hat": (
        "M10 64c0-6 10-10 20-10 0-16 6-26 18-26s18 10 18 26c10 0 20 4 20 10s-16 10-38 10-38-4-38-10z",
        "M30 54c8 2 28 2 36 0",
    ),
    "gloves": (
        "M24 84V48l-6-10c-2-4 2-8 6-5l4 5V18c0-4 6-4 6 0v18-22c0-4 6-4 6 0v22-18c0-4 6-4 6 0v20-12c0-4 6-4 6 0v32c0 8-4 14-10 16v16z",
        "M24 74h28",
    ),
    "glasses": (
        "M8 40h80v6c0 12-6 20-16 20s-16-8-16-18h-8c0 10-6 18-16 18S16 58 16 46l-8-2z",
        "M40 42h16M8 40l-4-6M88 40l4-6",
    ),
    "umbrella": (
        "M8 48C8 26 26 12 48 12s40 14 40 36c-6-4-12-4-14 0-4-4-10-4-13 0-4-4-10-4-13 0-3-4-9-4-13 0-2-4-8-4-14 0z",
        "M48 48v30c0 6 -10 6 -10 0M48 12v-4",
    ),
    "folded": (
        "M14 30h68v14H14zM10 46h76v16H10zM14 64h68v18H14z",
        "M14 38h68M10 54h76M14 73h68",
    ),
    "cushion": (
        "M14 20c12 6 56 6 68 0-6 18-6 38 0 56-12-6-56-6-68 0 6-18 6-38 0-56z",
        "M32 48h32M48 32v32",
    ),
    "curtain": (
        "M12 14h30c-6 20-6 50 4 74H12zM54 14h30v74H50c10-24 10-54 4-74z",
        "M6 12h84M24 20v64M72 20v64",
    ),
    "plate": (
        "M48 10a38 38 0 1 1 0 76a38 38 0 1 1 0-76z",
        "M48 24a24 24 0 1 1 0 48a24 24 0 1 1 0-48z",
    ),
    "glass": (
        "M26 14h44l-6 70H32z",
        "M28 34h40",
    ),
    "carafe": (
        "M38 10h20v18c12 8 18 20 18 34 0 14-10 24-28 24S20 76 20 62c0-14 6-26 18-34z",
        "M38 18h20M24 58h48",
    ),
    "mug": (
        "M16 26h50v46c0 8-6 14-14 14H30c-8 0-14-6-14-14z",
        "M66 38c10 0 16 4 16 12s-6 12-16 12",
    ),
    "pot": (
        "M14 38h68v36c0 8-6 12-14 12H28c-8 0-14-4-14-12z",
        "M6 44h8M82 44h8M12 32h72M40 26h16",
    ),
    "board": (
        "M10 30h54c4 0 6 2 6 6v6h14c4 0 6 2 6 6s-2 6-6 6H70v6c0 4-2 6-6 6H10c-4 0-6-2-6-6V36c0-4 2-6 6-6z",
        "M82 48h0M14 40h46",
    ),
    "cutlery": (
        "M24 10h4v30c0 4-2 6-2 6v42h-4V46s-2-2-2-6V10h4zM44 10c6 0 8 14 8 28l-4 4v46h-4zM66 10c6 0 8 8 8 18s-3 14-6 14v46h-4V42c-3 0-6-4-6-14s2-18 8-18z",
        "M20 10v22M24 10v22M28 10v22",
    ),
    "perfume": (
        "M22 40h52v42c0 3-2 6-6 6H28c-4 0-6-3-6-6z",
        "M40 22h16v18H40zM36 12h24v10H36zM34 58h28v14H34z",
    ),
    "candle": (
        "M22 36h52v46c0 3-2 6-6 6H28c-4 0-6-3-6-6z",
        "M48 36V24M48 10c4 6 4 10 0 14-4-4-4-8 0-14zM22 48h52",
    ),
    "diffuser": (
        "M26 52h44v30c0 3-2 6-6 6H32c-4 0-6-3-6-6z",
        "M48 52L34 10M48 52l4-44M48 52l16-40M26 62h44",
    ),
    "tube": (
        "M30 8h36l-4 62H34z",
        "M34 70h28v14H34zM32 20h32",
    ),
    "box": (
        "M14 30l34-16 34 16v40L48 86 14 70z",
        "M14 30l34 16 34-16M48 46v40",
    ),
}

# The demo's kinds of product (demo/data.py CATEGORIES) and the shape that draws each.
KIND_SHAPES = {
    "Abito": "dress", "Blusa": "shirt", "Gonna midi": "skirt", "Pantalone palazzo": "trousers", "Cappotto": "coat",
    "Giacca": "jacket", "Camicia": "shirt", "Trench": "coat", "Pantalone chino": "trousers", "Blazer": "jacket",
    "Jeans": "trousers", "Polo": "tshirt", "Gilet": "vest", "Giubbotto": "jacket", "Maglione girocollo": "sweater",
    "Cardigan": "sweater", "Dolcevita": "sweater", "Felpa": "sweater", "Maglia a coste": "sweater",
    "Sneaker": "sneaker", "Mocassino": "shoe", "Stivaletto": "boot", "Décolleté": "heel", "Sandalo": "shoe",
    "Ballerina": "shoe", "Stringata": "shoe", "Borsa a spalla": "bag", "Tote": "tote", "Zaino": "backpack",
    "Portafoglio": "wallet", "Cintura": "belt", "Pochette": "wallet", "Sciarpa": "scarf", "Foulard": "scarf",
    "Cappello": "hat", "Guanti": "gloves", "Occhiali da sole": "glasses", "Ombrello": "umbrella",
    "T-shirt": "tshirt", "Pantaloncino": "shorts", "Pigiama": "shirt", "Tutina": "onesie", "Vestaglia": "coat",
    "Calze": "socks", "Canottiera": "tank", "Camicia da notte": "dress", "Completo lenzuola": "folded",
    "Copripiumino": "folded", "Set asciugamani": "folded", "Plaid": "folded", "Cuscino decorativo": "cushion",
    "Tovaglia": "folded", "Tenda": "curtain", "Set piatti": "plate", "Bicchieri (6 pz)": "glass",
    "Caraffa": "carafe", "Set tazze": "mug", "Pentola": "pot", "Tagliere": "board", "Set posate (24 pz)": "cutlery",
    "Eau de parfum 100 ml": "perfume", "Candela profumata": "candle", "Diffusore": "diffuser",
    "Crema mani": "tube",
}  # fmt: skip


def _mix(colour: str, other: str, share: float) -> str:
    """`colour` moved `share` of the way towards `other` (both "#rrggbb")."""
    a = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(a, b, strict=True))


def _is_dark(colour: str) -> bool:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.299 * red + 0.587 * green + 0.114 * blue < 110


def product_svg(shape: str, colour: str) -> str:
    """The picture of `shape` in the catalogue colour `colour`: a few hundred bytes."""
    body, lines = SHAPES[shape]
    paint = COLOUR_HEX[colour]
    # Outlines darker than a light item and lighter than a dark one, so white, écru and black all read.
    ink = _mix(paint, "#ffffff", 0.45) if _is_dark(paint) else _mix(paint, "#000000", 0.5)
    details = f'<path d="{lines}" fill="none"/>' if lines else ""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 96 96" width="96" height="96">'
        f'<rect width="96" height="96" fill="{BACKGROUND}"/>'
        f'<g stroke="{ink}" stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round">'
        f'<path d="{body}" fill="{paint}"/>{details}</g></svg>\n'
    )


def file_name(shape: str, colour: str) -> str:
    return f"{shape}-{slugify(colour)}.svg"


def image_path(kind: str, colour: str) -> str:
    """The address a demo product of `kind` ("Cappotto") and `colour` ("cammello") shows its picture from.

    The plain static address, not the hashed one of a collectstatic manifest: seed_demo may run before
    collectstatic, and WhiteNoise serves the plain names too.
    """
    return f"{settings.STATIC_URL}{IMAGES_DIR}/{file_name(KIND_SHAPES.get(kind, 'box'), colour)}"


def all_images() -> dict[str, str]:
    """Every picture the demo can show, by file name: each shape in each catalogue colour."""
    return {file_name(shape, colour): product_svg(shape, colour) for shape in SHAPES for colour in data.COLOURS}


def write_images(directory: Path) -> int:
    """(Re)write every picture into `directory`, removing ones no drawing gives any more. Returns the count."""
    directory.mkdir(parents=True, exist_ok=True)
    images = all_images()
    for stale in directory.glob("*.svg"):
        if stale.name not in images:
            stale.unlink()
    for name, svg in images.items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != svg:
            path.write_text(svg, encoding="utf-8")
    return len(images)
