"""The area a case search may be limited to: GeoJSON polygons in WGS 84, each way of getting
it wrong named, and what the audit trail keeps of it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from states.errors import InvalidInput
from workflow.zgw.area import MAX_POINTS, describe, parse_area, read_area_file

SQUARE = [[6.0, 52.4], [6.2, 52.4], [6.2, 52.6], [6.0, 52.6], [6.0, 52.4]]


def test_a_polygon_a_multipolygon_and_a_feature_are_taken_as_the_geometry() -> None:
    polygon = {"type": "Polygon", "coordinates": [SQUARE]}
    assert parse_area("area", polygon) == polygon
    assert parse_area("area", json.dumps(polygon)) == polygon
    feature = {"type": "Feature", "properties": {"naam": "Zwolle"}, "geometry": polygon}
    assert parse_area("area", feature) == polygon
    multi = {"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE]]}
    assert parse_area("area", multi) == multi
    assert parse_area("area", "  ") is None and parse_area("area", None) is None


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("{niet json", "geen geldige JSON"),
        ({"type": "Point", "coordinates": [6.0, 52.0]}, "Polygon of MultiPolygon"),
        ({"type": "Polygon", "coordinates": []}, "geen coördinaten"),
        ({"type": "Polygon", "coordinates": [SQUARE[:3]]}, "minstens vier punten"),
        ({"type": "Polygon", "coordinates": [[*SQUARE[:-1], [6.1, 52.5]]]}, "niet gesloten"),
        ({"type": "Polygon", "coordinates": [[[200000, 500000]] * 4]}, "EPSG:4326"),
        ({"type": "Polygon", "coordinates": [[[6.0, True]] * 4]}, "geen punt"),
    ],
)
def test_a_wrong_area_is_refused_saying_what_is_wrong(value: object, named: str) -> None:
    with pytest.raises(InvalidInput, match=named) as refused:
        parse_area("area", value)  # type: ignore[arg-type]
    assert refused.value.field == "area"


def test_an_altitude_from_a_map_tool_is_left_out() -> None:
    """The Zaken API's positions have two numbers; [lon, lat, z] is sent as [lon, lat]."""
    high = [[lon, lat, 12.5] for lon, lat in SQUARE]
    assert parse_area("area", {"type": "Polygon", "coordinates": [high]}) == {
        "type": "Polygon",
        "coordinates": [SQUARE],
    }


def test_an_area_with_too_many_points_asks_to_simplify() -> None:
    ring = [[6.0 + i * 1e-6, 52.0] for i in range(MAX_POINTS)] + [[6.0, 52.0]]
    with pytest.raises(InvalidInput, match="vereenvoudig"):
        parse_area("area", {"type": "Polygon", "coordinates": [ring]})


@given(st.lists(st.tuples(st.floats(-180, 180), st.floats(-90, 90)), min_size=3, max_size=30))
def test_the_audit_outline_bounds_every_point(points: list[tuple[float, float]]) -> None:
    ring = [list(p) for p in points] + [list(points[0])]
    area = parse_area("area", {"type": "Polygon", "coordinates": [ring]})
    assert area is not None
    outline = describe(area)
    west, south, east, north = outline["bbox"]
    assert outline["points"] == len(ring)
    assert all(west <= lon <= east and south <= lat <= north for lon, lat in points)


def test_a_file_is_read_as_utf8_and_a_missing_one_is_named(tmp_path: Path) -> None:
    path = tmp_path / "gebied.geojson"
    path.write_text(json.dumps({"type": "Polygon", "coordinates": [SQUARE]}), encoding="utf-8-sig")
    assert parse_area("area", read_area_file(path)) == {"type": "Polygon", "coordinates": [SQUARE]}
    with pytest.raises(InvalidInput, match="bestaat niet"):
        read_area_file(tmp_path / "weg.geojson")
