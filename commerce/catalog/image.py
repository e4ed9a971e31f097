"""Draw a watch as a self-contained SVG from its catalog attributes (pure: no I/O, nothing fetched).

The drawing is schematic, not a photograph: strap or bracelet, a case scaled to the real diameter,
crown, dial in the dial colour, markers that contrast with it, hands at 10:10, and the complications
the features list (dive bezel, chronograph subdials, date window). Every string placed in the
document is XML-escaped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from xml.sax.saxutils import escape

FALLBACK_DIAL_HEX = "#8c8f93"
SIZE = 400
_CX = _CY = SIZE / 2

# Whole phrases first, then single colour words; finish words ("sunburst", "matte"...) are ignored.
_PHRASES: dict[str, str] = {
    "ice blue": "#cfe3ee", "sky blue": "#8ec5e8", "navy blue": "#1f2f5c", "dark blue": "#1c3366",
    "light blue": "#a9cce3", "dark grey": "#3b3e42", "dark gray": "#3b3e42", "light grey": "#c9ccd0",
    "light gray": "#c9ccd0", "dark green": "#1f4a33", "rose gold": "#c99a86", "mother of pearl": "#eeeae4",
}
_WORDS: dict[str, str] = {
    "black": "#161616", "blue": "#24509a", "navy": "#1f2f5c", "white": "#f4f3ee", "silver": "#c8ccd0",
    "grey": "#7d8186", "gray": "#7d8186", "charcoal": "#36393d", "green": "#2e6b45", "teal": "#1f7a7a",
    "turquoise": "#2fa8a8", "red": "#a3262a", "burgundy": "#6b1f2a", "brown": "#5b3a22", "cream": "#efe6cf",
    "ivory": "#f1ead6", "champagne": "#d9c79f", "gold": "#c9a24a", "orange": "#e0692a", "yellow": "#e8c22e",
    "purple": "#5e3a7a", "pink": "#e6a9b8", "salmon": "#e99f86", "beige": "#d8c8a8", "khaki": "#8f8a5c",
    "bronze": "#8c6239", "copper": "#b06a3b",
}
_LIGHTEN = {"light": 0.45, "pale": 0.55, "ice": 0.6, "pastel": 0.45}
_DARKEN = {"dark": 0.45, "deep": 0.35, "midnight": 0.55}
_LIGHT_INK, _DARK_INK = "#f5f4ef", "#151515"
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: str) -> str:
    """Escape for both element text and attribute values; drop characters XML 1.0 cannot carry."""
    return escape(_INVALID_XML.sub("", text), {'"': "&quot;", "'": "&apos;"})


def _rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _mix(hex_color: str, toward: str, amount: float) -> str:
    a, b = _rgb(hex_color), _rgb(toward)
    r, g, bl = (round(x + (y - x) * amount) for x, y in zip(a, b, strict=True))
    return f"#{r:02x}{g:02x}{bl:02x}"


def dial_hex(color: str) -> str:
    """Map a colour phrase ("black", "dark blue", "sunburst green") to a hex colour; unknown -> neutral grey."""
    words = re.findall(r"[a-z]+", color.lower())
    phrase = " ".join(words)
    for known, hex_color in _PHRASES.items():
        if known in phrase:
            return hex_color
    base = next((_WORDS[w] for w in reversed(words) if w in _WORDS), None)
    if base is None:
        return FALLBACK_DIAL_HEX
    for w in words:
        if w in _LIGHTEN:
            base = _mix(base, "#ffffff", _LIGHTEN[w])
        elif w in _DARKEN:
            base = _mix(base, "#000000", _DARKEN[w])
    return base


def luminance(hex_color: str) -> float:
    """WCAG relative luminance, 0 (black) .. 1 (white)."""
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(hex_color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ink_for(background: str) -> str:
    """The marker/text colour with the better contrast ratio against the background."""
    lum = luminance(background)
    on_light, on_dark = (lum + 0.05) / (luminance(_DARK_INK) + 0.05), (luminance(_LIGHT_INK) + 0.05) / (lum + 0.05)
    return _DARK_INK if on_light >= on_dark else _LIGHT_INK


def _case_hex(material: str) -> str:
    m = material.lower()
    if "gold" in m:
        return "#c9a24a"
    if "black" in m or "dlc" in m:
        return "#2b2c2e"
    if "titanium" in m:
        return "#8d9196"
    return "#c3c7cc"


def _point(angle_deg: float, radius: float) -> tuple[float, float]:
    a = math.radians(angle_deg)
    return _CX + radius * math.sin(a), _CY - radius * math.cos(a)


def _line(angle: float, r1: float, r2: float, *, color: str, width: float, cls: str) -> str:
    (x1, y1), (x2, y2) = _point(angle, r1), _point(angle, r2)
    return (f'<line class="{cls}" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{color}" stroke-width="{width:.1f}" stroke-linecap="round"/>')


def _strap(kind: str, width: float, case_r: float) -> list[str]:
    k = kind.lower()
    x = _CX - width / 2
    top_h, bottom_y = _CY - case_r * 0.8, _CY + case_r * 0.8
    parts: list[str] = []
    if "bracelet" in k or "mesh" in k or "steel" in k:
        for sid, y0, y1 in (("strap-top", 0.0, top_h), ("strap-bottom", bottom_y, float(SIZE))):
            parts.append(f'<g id="{sid}" class="strap bracelet">')
            parts.append(f'<rect x="{x:.1f}" y="{y0:.1f}" width="{width:.1f}" height="{y1 - y0:.1f}" fill="#b9bdc2"/>')
            y = y0 + 4
            while y < y1 - 4:
                parts.append(f'<rect class="link" x="{x + 2:.1f}" y="{y:.1f}" width="{width - 4:.1f}" '
                             f'height="12" rx="2" fill="#d3d6da" stroke="#8e9297" stroke-width="1"/>')
                y += 16
            parts.append("</g>")
        return parts
    fill = {"leather": "#6b4226", "nato": "#3f4d3a", "fabric": "#4a5160"}.get(k, "#1f1f1f")
    for sid, y0, y1 in (("strap-top", 0.0, top_h), ("strap-bottom", bottom_y, float(SIZE))):
        parts.append(f'<g id="{sid}" class="strap band">')
        parts.append(f'<rect x="{x:.1f}" y="{y0:.1f}" width="{width:.1f}" height="{y1 - y0:.1f}" rx="6" '
                     f'fill="{fill}"/>')
        if k == "leather":
            parts.append(f'<rect x="{x + 4:.1f}" y="{y0 + 4:.1f}" width="{width - 8:.1f}" height="{y1 - y0 - 8:.1f}" '
                         'fill="none" stroke="#d8c3a5" stroke-width="1" stroke-dasharray="4 3"/>')
        parts.append("</g>")
    return parts


def render_watch_svg(
    *, reference: str, name: str, dial_color: str, case_diameter_mm: float, category: str,
    case_material: str, features: Sequence[str], strap: str,
) -> str:
    """A self-contained SVG document (400x400) of the watch described by the arguments."""
    feats = {f.lower() for f in features}
    diameter = min(max(case_diameter_mm, 26.0), 50.0)
    case_r = 60 + (diameter - 34.0) * 5.0
    diver = category.lower() == "diver" or "rotating_bezel" in feats
    dial = dial_hex(dial_color)
    ink = ink_for(dial)
    case = _case_hex(case_material)
    dial_r = case_r * (0.78 if diver else 0.9)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}" height="{SIZE}" '
        'role="img" aria-labelledby="watch-title watch-desc">',
        f'<title id="watch-title">{_x(name)}</title>',
        f'<desc id="watch-desc">{_x(f"Seiko {reference}: {dial_color} dial, {case_material} case, {strap}")}</desc>',
        f'<rect width="{SIZE}" height="{SIZE}" fill="#f7f7f5"/>',
        *_strap(strap, case_r * 0.95, case_r),
        f'<rect id="crown" x="{_CX + case_r - 2:.1f}" y="{_CY - 9:.1f}" width="14" height="18" rx="3" fill="{case}" '
        'stroke="#55585c" stroke-width="1"/>',
        f'<circle id="case" cx="{_CX}" cy="{_CY}" r="{case_r:.1f}" fill="{case}" stroke="#55585c" stroke-width="2"/>',
    ]
    if diver:
        ring_in = dial_r + 2
        out.append('<g id="bezel">')
        out.append(f'<circle cx="{_CX}" cy="{_CY}" r="{(case_r + ring_in) / 2:.1f}" fill="none" stroke="#1d1d1f" '
                   f'stroke-width="{case_r - ring_in - 2:.1f}"/>')
        for minute in range(60):
            if minute:
                big = minute % 5 == 0
                out.append(_line(minute * 6, case_r - 3, case_r - (10 if big else 6), color="#eeeeee",
                                 width=2.0 if big else 1.0, cls="bezel-tick"))
        (ax, ay), (bx, by), (tx, ty) = _point(-5, case_r - 3), _point(5, case_r - 3), _point(0, ring_in + 2)
        out.append(f'<polygon id="bezel-pip" points="{ax:.1f},{ay:.1f} {bx:.1f},{by:.1f} {tx:.1f},{ty:.1f}" '
                   'fill="#f2f2f2"/>')
        out.append("</g>")
    out.append(f'<circle id="dial" cx="{_CX}" cy="{_CY}" r="{dial_r:.1f}" fill="{dial}" '
               f'stroke="{_mix(dial, "#000000", 0.3)}" stroke-width="1.5"/>')
    chrono = "chronograph" in feats
    dated = bool(feats & {"date", "day_date"})
    for hour in range(12):
        if hour == 3 and dated and not chrono:
            continue  # the date window sits there
        out.append(_line(hour * 30, dial_r * 0.92, dial_r * (0.72 if hour == 0 else 0.8), color=ink,
                         width=5.0 if hour == 0 else 3.0, cls="marker"))
    out.append(f'<text class="dial-text" x="{_CX}" y="{_CY - dial_r * 0.45:.1f}" text-anchor="middle" '
               f'font-family="Helvetica, Arial, sans-serif" font-size="{dial_r * 0.14:.1f}" fill="{ink}">SEIKO</text>')
    if chrono:
        for angle in (270, 90, 180):
            sx, sy = _point(angle, dial_r * 0.45)
            out.append(f'<circle class="subdial" cx="{sx:.1f}" cy="{sy:.1f}" r="{dial_r * 0.2:.1f}" '
                       f'fill="{_mix(dial, ink, 0.12)}" stroke="{ink}" stroke-width="1"/>')
    if dated:
        wide = "day_date" in feats
        w, h = dial_r * (0.42 if wide else 0.2), dial_r * 0.15
        wx, wy = _point(135, dial_r * 0.62) if chrono else _point(90, dial_r * 0.86 - w / 2)
        out.append(f'<g id="date-window"><rect x="{wx - w / 2:.1f}" y="{wy - h / 2:.1f}" width="{w:.1f}" '
                   f'height="{h:.1f}" fill="#fbfbf8" stroke="{ink}" stroke-width="1"/>'
                   f'<text x="{wx:.1f}" y="{wy + h * 0.3:.1f}" text-anchor="middle" font-size="{h * 0.75:.1f}" '
                   f'font-family="Helvetica, Arial, sans-serif" fill="#151515">{"WED 10" if wide else "10"}</text></g>')
    out.append(_line(305, 0, dial_r * 0.5, color=ink, width=6.0, cls="hand hour-hand"))
    out.append(_line(60, 0, dial_r * 0.78, color=ink, width=4.0, cls="hand minute-hand"))
    out.append(_line(210, -dial_r * 0.15, dial_r * 0.85, color="#d0342c", width=1.5, cls="hand second-hand"))
    out.append(f'<circle cx="{_CX}" cy="{_CY}" r="4" fill="{ink}"/>')
    out.append("</svg>")
    return "\n".join(out)
