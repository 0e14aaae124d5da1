from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from inventory.factories import ProductFactory
from inventory.models import PostalCode, Product, StockLevel
from omniportal.models import Location


def write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


@pytest.mark.django_db
def test_products_are_imported_with_the_apis_rules(tmp_path, capsys):
    path = write(
        tmp_path,
        "products.csv",
        "sku,name,category,price,currency,brand\nJKT-1,Giacca,outerwear,189.00,EUR,Omni\nBAG-1,Borsa,bags,49.5,EUR,\n",
    )

    call_command("import_csv", "products", path)

    assert Product.objects.get(sku="BAG-1").category.code == "bags"
    assert "2 products rows: 2 created" in capsys.readouterr().out


@pytest.mark.django_db
def test_one_bad_row_imports_nothing_and_names_its_line(tmp_path):
    path = write(
        tmp_path,
        "products.csv",
        "sku,name,category,price,currency\nA,Uno,c,1.00,EUR\nB,Due,c,-1,EUR\nC,Tre,c,1,EURO\n",
    )

    with pytest.raises(CommandError) as failure:
        call_command("import_csv", "products", path)

    assert "line 3, price: Expected `str` matching regex" in str(failure.value)
    assert "line 4, currency" in str(failure.value)
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_locations_nest_their_address(tmp_path):
    path = write(
        tmp_path,
        "locations.csv",
        "code,name,kind,line1,city,postal_code,country,lat,lon,offers_pickup\n"
        "TO01,Torino Centro,store,Via Roma 1,Torino,10121,IT,45.07,7.69,true\n",
    )

    call_command("import_csv", "locations", path)

    torino = Location.objects.get(code="TO01")
    assert (torino.city, torino.country, torino.offers_pickup) == ("Torino", "IT", True)


@pytest.mark.django_db
def test_stock_rows_for_unknown_skus_are_refused(tmp_path, store_milano):
    ProductFactory(sku="JKT-1")
    path = write(
        tmp_path,
        "stock.csv",
        "location,sku,on_hand,as_of\nMI01,JKT-1,4,2026-11-23T08:00:00+01:00\nMI01,NOPE,1,2026-11-23T08:00:00+01:00\n",
    )

    with pytest.raises(CommandError, match="line 3, sku: Unknown SKU 'NOPE'"):
        call_command("import_csv", "stock", path)
    assert not StockLevel.objects.exists()


@pytest.mark.django_db
def test_geonames_postal_codes_are_loaded(tmp_path):
    path = write(
        tmp_path,
        "IT.txt",
        "IT\t20121\tMilano\tLombardia\t09\tMilano\tMI\t\t\t45.4643\t9.1895\t4\n"
        "IT\t00186\tRoma\tLazio\t07\tRoma\tRM\t\t\t41.8947\t12.4839\t4\n",
    )

    call_command("import_csv", "postal_codes", path)

    assert PostalCode.objects.get(postal_code="00186").place_name == "Roma"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("sku,name\nA,B\n", "missing column(s) category, price, currency"),
        ("sku,name,category,price,currency\n", "no rows"),
        ("sku,name,category,price,currency\n\xff\xfe\n", "not UTF-8"),
    ],
)
def test_unusable_files_are_refused_with_a_reason(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content.encode("latin-1"))

    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("import_csv", "products", str(path))


def test_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_csv", "products", str(tmp_path / "nope.csv"))


@pytest.mark.django_db
def test_head_office_uploads_a_products_file_in_the_admin(client, head_office):
    client.force_login(head_office)
    upload = SimpleUploadedFile("p.csv", b"sku,name,category,price,currency\nJKT-1,Giacca,outerwear,189.00,EUR\n")

    response = client.post("/admin/inventory/import/", {"kind": "products", "file": upload}, follow=True)

    assert response.status_code == 200
    assert Product.objects.filter(sku="JKT-1").exists()
    assert "1 created" in response.content.decode()


@pytest.mark.django_db
def test_a_bad_upload_lists_its_lines_and_imports_nothing(client, head_office):
    client.force_login(head_office)
    upload = SimpleUploadedFile("p.csv", b"sku,name,category,price,currency\nJKT-1,Giacca,outerwear,-5,EUR\n")

    response = client.post("/admin/inventory/import/", {"kind": "products", "file": upload})

    assert "line 2, price" in response.content.decode()
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_an_associate_cannot_open_the_upload_page(client, associate_milano):
    client.force_login(associate_milano)

    response = client.get("/admin/inventory/import/")

    assert response.status_code in (302, 403)
