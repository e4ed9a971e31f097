"""Catalog schemas: one family per entity; the API returns the public ones, never rows."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

Reference = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")]


def _refuse_float(value: object) -> object:
    # A JSON float has already lost cents precision; money travels as a decimal string.
    if isinstance(value, float):
        raise ValueError("money must be a decimal string such as \"295.00\", not a float")
    return value


Money = Annotated[Decimal, BeforeValidator(_refuse_float), Field(gt=0, max_digits=12, decimal_places=2)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class Category(StrEnum):
    diver = "diver"
    dress = "dress"
    field = "field"
    pilot = "pilot"
    chronograph = "chronograph"
    sports = "sports"
    casual = "casual"


class Movement(StrEnum):
    automatic = "automatic"
    manual = "manual"
    quartz = "quartz"
    solar = "solar"
    kinetic = "kinetic"
    spring_drive = "spring_drive"
    gps_solar = "gps_solar"


class WatchSort(StrEnum):
    featured = "featured"
    price_asc = "price_asc"
    price_desc = "price_desc"
    name = "name"
    newest = "newest"


class WatchBase(BaseModel):
    reference: Reference
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    collection: ShortText
    category: Category
    movement: Movement
    caliber: ShortText
    case_diameter_mm: float = Field(ge=20, le=60)
    case_material: ShortText
    water_resistance_m: int = Field(ge=0, le=10_000)
    crystal: ShortText
    dial_color: ShortText
    strap: ShortText
    features: list[Annotated[str, StringConstraints(pattern=r"^[a-z_]{2,40}$")]] = Field(
        default_factory=list, max_length=20
    )
    description: Annotated[str, StringConstraints(max_length=4000)] = ""


class WatchPublic(WatchBase):
    """What shoppers see."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "reference": "SRPD55K1",
                "name": "Seiko 5 Sports SRPD55 Black",
                "collection": "Seiko 5 Sports",
                "category": "diver",
                "movement": "automatic",
                "caliber": "4R36",
                "case_diameter_mm": 42.5,
                "case_material": "stainless steel",
                "water_resistance_m": 100,
                "crystal": "hardlex",
                "dial_color": "black",
                "strap": "bracelet",
                "features": ["day_date", "rotating_bezel"],
                "price": "295.00",
                "stock_available": 24,
                "description": "A sporty automatic...",
                "image_url": "/api/v1/watches/SRPD55K1/image.svg",
            }
        }
    )

    price: Decimal
    stock_available: int
    image_url: str


class ReviewPublic(BaseModel):
    author: str
    rating: int
    title: str
    body: str
    created_at: datetime


class WatchDetail(WatchPublic):
    rating_average: Decimal | None
    review_count: int
    reviews: list[ReviewPublic]


class WatchPage(BaseModel):
    items: list[WatchPublic]
    total: int
    limit: int
    offset: int


class WatchFilters(BaseModel):
    """Catalog list filters; every one optional."""

    @model_validator(mode="before")
    @classmethod
    def _blank_means_any(cls, data: object) -> object:
        # An HTML form sends its "Any" choice and an empty number field as `name=`: no filter, not
        # a value to reject. Only the absent and the blank are dropped; a bad value is still a 422.
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if not (isinstance(value, str) and not value.strip())}
        return data

    collection: str | None = Field(None, max_length=80)
    category: Category | None = None
    movement: Movement | None = None
    min_price: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    max_price: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    in_stock: bool | None = None
    sort: WatchSort = WatchSort.featured


class WatchQuery(WatchFilters):
    """The catalog list's query string: filters plus a page (validated as one model)."""

    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100_000)


class WatchCreate(WatchBase):
    """Admin: a new catalog entry with its sourcing and opening stock."""

    price: Money
    supplier_code: ShortText
    unit_cost: Money
    pack_size: int = Field(1, ge=1, le=1000)
    min_order_qty: int = Field(1, ge=1, le=100_000)
    initial_stock: int = Field(0, ge=0, le=1_000_000)


class WatchUpdate(BaseModel):
    """Admin: a partial update; only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = None
    collection: ShortText | None = None
    category: Category | None = None
    movement: Movement | None = None
    caliber: ShortText | None = None
    case_diameter_mm: float | None = Field(None, ge=20, le=60)
    case_material: ShortText | None = None
    water_resistance_m: int | None = Field(None, ge=0, le=10_000)
    crystal: ShortText | None = None
    dial_color: ShortText | None = None
    strap: ShortText | None = None
    features: list[Annotated[str, StringConstraints(pattern=r"^[a-z_]{2,40}$")]] | None = Field(
        None, max_length=20
    )
    description: Annotated[str, StringConstraints(max_length=4000)] | None = None
    price: Money | None = None
    unit_cost: Money | None = None
    pack_size: int | None = Field(None, ge=1, le=1000)
    min_order_qty: int | None = Field(None, ge=1, le=100_000)
    active: bool | None = None
