"""County boundaries for the e-map (行政区划边界): loading official GeoJSON, and the
schematic polygons shipped as standards.

No official boundary data could be obtained where this was built. The shipped file
(``shared/standards/data/region_boundaries.geojson``) holds **schematic** polygons: the
Voronoi cells of the real county seats of 榆林市 (approximate coordinates), clipped to
the city's bounding box. They tile the map without gaps or overlaps and put every county
in the right place, but they are not the legal boundaries. Real deployments load the
official data with ``manage.py load_region_boundaries <file.geojson>``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "standards" / "data" / "region_boundaries.geojson"

Point = tuple[float, float]

# County seats (县城/区政府驻地), longitude and latitude, approximate.
SEATS: dict[str, Point] = {
    "610802": (109.735, 38.285),  # 榆阳区
    "610803": (109.294, 37.958),  # 横山区
    "610822": (111.067, 39.028),  # 府谷县
    "610824": (108.794, 37.599),  # 靖边县
    "610825": (107.601, 37.594),  # 定边县
    "610826": (110.263, 37.503),  # 绥德县
    "610827": (110.184, 37.755),  # 米脂县
    "610828": (110.491, 38.020),  # 佳县
    "610829": (110.739, 37.452),  # 吴堡县
    "610830": (110.121, 37.088),  # 清涧县
    "610831": (110.035, 37.611),  # 子洲县
    "610881": (110.499, 38.842),  # 神木市
}
CITY_BOX = (107.25, 36.85, 111.25, 39.60)  # west, south, east, north


def _clip(poly: list[Point], a: Point, b: Point) -> list[Point]:
    """Keep the part of ``poly`` nearer to ``a`` than to ``b`` (half-plane clipping)."""
    mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    nx, ny = b[0] - a[0], b[1] - a[1]

    def side(p: Point) -> float:
        return (p[0] - mx) * nx + (p[1] - my) * ny  # <= 0: a's side

    out: list[Point] = []
    for i, p in enumerate(poly):
        q = poly[(i + 1) % len(poly)]
        sp, sq = side(p), side(q)
        if sp <= 0:
            out.append(p)
        if (sp < 0 < sq) or (sq < 0 < sp):
            t = sp / (sp - sq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def schematic_cells(seats: dict[str, Point] = SEATS, box: tuple = CITY_BOX) -> dict[str, Any]:
    """GeoJSON geometries (Polygon) per region code: Voronoi cells clipped to ``box``."""
    west, south, east, north = box
    cells = {}
    for code, seat in seats.items():
        poly: list[Point] = [(west, south), (east, south), (east, north), (west, north)]
        for other, there in seats.items():
            if other != code:
                poly = _clip(poly, seat, there)
        ring = [[round(x, 4), round(y, 4)] for x, y in poly]
        cells[code] = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
    return cells


def write_schematic(path: Path = DATA) -> None:
    features = [
        {"type": "Feature", "properties": {"code": code}, "geometry": geometry}
        for code, geometry in schematic_cells().items()
    ]
    document = {
        "type": "FeatureCollection",
        "name": "榆林市县区示意边界（非法定边界）",
        "note": (
            "SCHEMATIC, NOT LEGAL BOUNDARIES: Voronoi cells of the county seats, clipped to "
            "the city's bounding box (shared/rollups/boundaries.py). Load official data with "
            "manage.py load_region_boundaries."
        ),
        "features": features,
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def read_geojson(path: Path) -> dict[str, dict[str, Any]]:
    """Region code → geometry from a FeatureCollection whose features carry ``code`` (or
    ``adcode``, as the national GeoJSON services name it). Raises ValueError on bad input."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"无法读取 GeoJSON 文件：{exc}") from exc
    if document.get("type") != "FeatureCollection":
        raise ValueError("GeoJSON 文件应为 FeatureCollection。")
    out = {}
    for number, feature in enumerate(document.get("features", []), start=1):
        props = feature.get("properties") or {}
        code = str(props.get("code") or props.get("adcode") or "")
        geometry = feature.get("geometry") or {}
        if len(code) != 6 or not code.isdigit():
            raise ValueError(f"第 {number} 个要素缺少 6 位行政区划代码（code 或 adcode）。")
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise ValueError(
                f"第 {number} 个要素（{code}）的几何类型应为 Polygon 或 MultiPolygon。"
            )
        out[code] = geometry
    return out
