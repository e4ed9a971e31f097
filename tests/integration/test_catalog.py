"""The catalog API and admin edits of it."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from tests.fix_app import Users

pytestmark = pytest.mark.integration

WATCH_FIELDS = {"reference", "name", "collection", "category", "movement", "caliber", "case_diameter_mm",
                "case_material", "water_resistance_m", "crystal", "dial_color", "strap", "features", "price",
                "stock_available", "description", "image_url"}


async def test_list_has_every_contract_field(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/watches", params={"limit": 100})
    assert r.status_code == 200
    page = r.json()
    assert page["total"] >= 28
    assert page["limit"] == 100
    assert page["offset"] == 0
    assert len(page["items"]) == page["total"]
    for w in page["items"]:
        assert set(w) == WATCH_FIELDS
        assert isinstance(w["price"], str)
        assert Decimal(w["price"]) > 0
        assert isinstance(w["features"], list)
        assert isinstance(w["stock_available"], int)


async def test_pagination_is_stable_and_complete(client: httpx.AsyncClient) -> None:
    everything = (await client.get("/api/v1/watches", params={"limit": 100})).json()
    pages = []
    for offset in range(0, everything["total"], 7):
        page = (await client.get("/api/v1/watches", params={"limit": 7, "offset": offset})).json()
        assert page["total"] == everything["total"]
        pages.extend(w["reference"] for w in page["items"])
    assert pages == [w["reference"] for w in everything["items"]]
    past = (await client.get("/api/v1/watches", params={"limit": 7, "offset": 10_000})).json()
    assert past == {"items": [], "total": everything["total"], "limit": 7, "offset": 10_000}


async def test_filters_and_sorting(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/watches", params={"category": "diver", "max_price": "600", "sort": "price_asc",
                                                   "limit": 100})
    items = r.json()["items"]
    assert items
    assert all(w["category"] == "diver" and Decimal(w["price"]) <= 600 for w in items)
    prices = [Decimal(w["price"]) for w in items]
    assert prices == sorted(prices)
    solar = (await client.get("/api/v1/watches", params={"movement": "solar", "limit": 100})).json()["items"]
    assert solar
    assert {w["movement"] for w in solar} == {"solar"}
    presage = (await client.get("/api/v1/watches", params={"collection": "presage", "limit": 100})).json()
    assert presage["total"] >= 2
    assert {w["collection"] for w in presage["items"]} == {"Presage"}
    out = (await client.get("/api/v1/watches", params={"in_stock": False, "limit": 100})).json()["items"]
    assert all(w["stock_available"] == 0 for w in out)


async def test_detail_reviews_image_and_404(client: httpx.AsyncClient) -> None:
    ref = (await client.get("/api/v1/watches", params={"limit": 1})).json()["items"][0]["reference"]
    detail = (await client.get(f"/api/v1/watches/{ref}")).json()
    assert detail["reference"] == ref
    assert 2 <= detail["review_count"] == len(detail["reviews"]) <= 5
    ratings = [r["rating"] for r in detail["reviews"]]
    assert Decimal(detail["rating_average"]) == (Decimal(sum(ratings)) / len(ratings)).quantize(Decimal("0.1"))
    image = await client.get(detail["image_url"])
    assert image.status_code == 200
    assert image.headers["content-type"].startswith("image/svg+xml")
    assert image.text.lstrip().startswith(("<svg", "<?xml"))
    missing = await client.get("/api/v1/watches/NO-SUCH-REF")
    assert missing.status_code == 404
    assert missing.json()["code"] == "watch_not_found"
    assert (await client.get("/api/v1/watches/NO-SUCH-REF/image.svg")).status_code == 404


NEW_WATCH = {
    "reference": "SPB999J1", "name": "Prospex Test Diver", "collection": "Prospex", "category": "diver",
    "movement": "automatic", "caliber": "6R35", "case_diameter_mm": 40.5, "case_material": "stainless steel",
    "water_resistance_m": 200, "crystal": "sapphire", "dial_color": "green", "strap": "bracelet",
    "features": ["date", "rotating_bezel"], "description": "A test entry.", "price": "1200.00",
    "supplier_code": None, "unit_cost": "600.00", "pack_size": 1, "min_order_qty": 2, "initial_stock": 4,
}


async def test_admin_creates_and_updates_a_watch(client: httpx.AsyncClient, users: Users) -> None:
    from db.seed.catalog import SUPPLIERS

    admin = await users.admin()
    body = {**NEW_WATCH, "supplier_code": SUPPLIERS[0].code}
    r = await client.post("/api/v1/admin/watches", json=body, headers=admin)
    assert r.status_code == 201, r.text
    assert r.json()["stock_available"] == 4
    dup = await client.post("/api/v1/admin/watches", json=body, headers=admin)
    assert dup.status_code == 409
    assert dup.json()["code"] == "reference_taken"
    r = await client.patch("/api/v1/admin/watches/SPB999J1", json={"price": "1150.00", "dial_color": "blue"},
                           headers=admin)
    assert r.status_code == 200
    assert (r.json()["price"], r.json()["dial_color"], r.json()["name"]) == ("1150.00", "blue", NEW_WATCH["name"])
    bad = await client.patch("/api/v1/admin/watches/SPB999J1", json={"price": 12.5}, headers=admin)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == ["body", "price"]
    r = await client.patch("/api/v1/admin/watches/SPB999J1", json={"reference": "X"}, headers=admin)
    assert r.status_code == 422
    r = await client.patch("/api/v1/admin/watches/SPB999J1", json={"active": False}, headers=admin)
    assert (await client.get("/api/v1/watches/SPB999J1")).status_code == 404
    unknown = await client.post("/api/v1/admin/watches", json={**body, "reference": "SPB998J1",
                                                               "supplier_code": "NOBODY"}, headers=admin)
    assert unknown.status_code == 422


async def test_blank_filters_mean_no_filter(client: httpx.AsyncClient) -> None:
    """An HTML form's "Any" and an empty number field arrive as `name=`: no filter, not a 422."""
    everything = (await client.get("/api/v1/watches", params={"limit": 100})).json()
    blank = {"category": "", "movement": "", "min_price": "", "max_price": " ", "in_stock": "", "collection": "",
             "sort": "", "limit": 100}
    r = await client.get("/api/v1/watches", params=blank)
    assert r.status_code == 200, r.text
    assert r.json() == everything
    page = await client.get("/", params={"category": "", "movement": "", "max_price": "", "sort": "featured"})
    assert page.status_code == 200
    assert f"{everything['total']} watches" in page.text
    # A value that is there but wrong is still refused.
    bad = await client.get("/api/v1/watches", params={"movement": "steam"})
    assert bad.status_code == 422
    assert bad.json()["code"] == "validation_error"
