"""The generated watch drawing: valid SVG, attribute-driven, escaped and legible."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from commerce.catalog.image import FALLBACK_DIAL_HEX, dial_hex, luminance, render_watch_svg
from db.seed.catalog import WATCHES

NS = "{http://www.w3.org/2000/svg}"


def _svg(
    *, name: str = "Test Watch", dial_color: str = "black", case_diameter_mm: float = 40.0,
    category: str = "dress", case_material: str = "stainless steel", features: Sequence[str] = (),
    strap: str = "leather",
) -> ET.Element:
    doc = render_watch_svg(reference="SRPD55K1", name=name, dial_color=dial_color,
                           case_diameter_mm=case_diameter_mm, category=category, case_material=case_material,
                           features=features, strap=strap)
    return ET.fromstring(doc)


def _by_id(root: ET.Element, element_id: str) -> ET.Element | None:
    return next((e for e in root.iter() if e.get("id") == element_id), None)


def _by_class(root: ET.Element, cls: str) -> list[ET.Element]:
    return [e for e in root.iter() if cls in (e.get("class") or "").split()]


def test_renders_an_accessible_svg_document() -> None:
    root = _svg()
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox") == "0 0 400 400"
    assert root.get("width") == "400" and root.get("height") == "400"
    title = root.find(f"{NS}title")
    assert title is not None and title.text == "Test Watch"


def test_every_seed_watch_renders() -> None:
    for w in WATCHES:
        root = ET.fromstring(render_watch_svg(
            reference=w.reference, name=w.name, dial_color=w.dial_color,
            case_diameter_mm=float(w.case_diameter_mm), category=w.category, case_material=w.case_material,
            features=w.features, strap=w.strap,
        ))
        assert _by_id(root, "case") is not None, w.reference


def test_divers_get_a_bezel_that_dress_watches_lack() -> None:
    diver = _svg(category="diver", strap="rubber")
    dress = _svg(category="dress")
    bezel = _by_id(diver, "bezel")
    assert bezel is not None
    assert _by_id(bezel, "bezel-pip") is not None
    assert len(_by_class(bezel, "bezel-tick")) == 59
    assert _by_id(dress, "bezel") is None
    assert _by_id(_svg(category="sports", features=["rotating_bezel"]), "bezel") is not None


def test_case_scales_with_diameter() -> None:
    def radius(mm: float) -> float:
        case = _by_id(_svg(case_diameter_mm=mm), "case")
        assert case is not None
        return float(case.get("r") or 0)

    assert radius(45.0) > radius(40.0) > radius(34.0)


def test_case_colour_follows_material() -> None:
    def fill(material: str) -> str:
        case = _by_id(_svg(case_material=material), "case")
        assert case is not None
        return case.get("fill") or ""

    steel, titanium, gold = fill("stainless steel"), fill("titanium"), fill("gold-tone stainless steel")
    assert len({steel, titanium, gold}) == 3
    assert luminance(titanium) < luminance(steel)


def test_complications_follow_features() -> None:
    chrono = _svg(category="chronograph", features=["chronograph", "date"])
    assert len(_by_class(chrono, "subdial")) == 3
    assert _by_id(chrono, "date-window") is not None
    plain = _svg(features=[])
    assert _by_class(plain, "subdial") == []
    assert _by_id(plain, "date-window") is None
    assert _by_id(_svg(features=["day_date"]), "date-window") is not None


def test_strap_kind_changes_the_drawing() -> None:
    bracelet = _svg(strap="bracelet")
    leather = _svg(strap="leather")
    top = _by_id(bracelet, "strap-top")
    assert top is not None and "bracelet" in (top.get("class") or "").split()
    assert _by_class(bracelet, "link")
    assert _by_class(leather, "link") == []
    assert _by_id(leather, "strap-bottom") is not None


def test_strings_are_escaped() -> None:
    raw = 'Evil <script>alert(1)</script> & "quotes"'
    doc = render_watch_svg(reference="X<1>", name=raw, dial_color='red"><script>', case_diameter_mm=40,
                           category="dress", case_material="steel & <b>", features=["date"], strap="<leather>")
    root = ET.fromstring(doc)
    title = root.find(f"{NS}title")
    assert title is not None and title.text == raw
    assert not any(e.tag.endswith("script") for e in root.iter())
    assert "<script" not in doc


def test_dial_colours_map_and_fall_back() -> None:
    assert dial_hex("plaid") == FALLBACK_DIAL_HEX
    assert dial_hex("") == FALLBACK_DIAL_HEX
    assert dial_hex("sunburst green") == dial_hex("green")
    assert dial_hex("Black") == dial_hex("black")
    assert luminance(dial_hex("dark blue")) < luminance(dial_hex("blue"))
    assert luminance(dial_hex("ice blue")) > luminance(dial_hex("blue"))
    unknown = _by_id(_svg(dial_color="unobtainium"), "dial")
    assert unknown is not None and unknown.get("fill") == FALLBACK_DIAL_HEX


def test_markers_contrast_with_the_dial() -> None:
    def marker_luminance(colour: str) -> float:
        markers = _by_class(_svg(dial_color=colour), "marker")
        assert markers
        return luminance(markers[0].get("stroke") or "")

    assert marker_luminance("black") > 0.7
    assert marker_luminance("dark blue") > 0.7
    assert marker_luminance("white") < 0.1
    assert marker_luminance("cream") < 0.1
