"""An area to search cases in: a GeoJSON polygon in WGS 84 (EPSG:4326), as the Zaken API's
`zaakgeometrie.within` takes it. Typed by hand or exported from a map tool, so every way it
can be wrong is named: not JSON, not a polygon, a ring that is not closed, a point off the
globe, too many points."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from states.errors import InvalidInput
from states.i18n import Text

# A municipality's outline has a few thousand points; a province's detailed one more.
MAX_POINTS = 20_000
MAX_TEXT = 2_000_000
_POLYGONS = ("Polygon", "MultiPolygon")


def _refuse(field: str, nl: str, en: str) -> InvalidInput:
    return InvalidInput(field, Text(nl, en))


def parse_area(field: str, value: str | dict[str, Any] | None) -> dict[str, Any] | None:
    """The polygon as a GeoJSON geometry; a Feature gives its geometry. None: no area."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise _refuse(field, "het gebied is groter dan 2 MB", "the area is larger than 2 MB")
        try:
            value = json.loads(value)
        except ValueError as error:
            raise _refuse(
                field,
                f"het gebied is geen GeoJSON (geen geldige JSON: {error})",
                f"the area is not GeoJSON (not valid JSON: {error})",
            ) from None
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") not in _POLYGONS:
        raise _refuse(
            field,
            "het gebied moet een GeoJSON Polygon of MultiPolygon zijn (of een Feature met één)",
            "the area must be a GeoJSON Polygon or MultiPolygon (or a Feature holding one)",
        )
    coordinates = value.get("coordinates")
    if not isinstance(coordinates, list) or not coordinates:
        raise _refuse(field, "het gebied heeft geen coördinaten", "the area has no coordinates")
    polygons = [coordinates] if value["type"] == "Polygon" else coordinates
    points = 0
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise _refuse(field, "een vlak zonder ringen", "a polygon without rings")
        for ring in polygon:
            points += _check_ring(field, ring)
    if points > MAX_POINTS:
        raise _refuse(
            field,
            f"het gebied heeft {points} punten; vereenvoudig het tot hooguit {MAX_POINTS}",
            f"the area has {points} points; simplify it to at most {MAX_POINTS}",
        )
    # Only longitude and latitude go to the case system: the Zaken API's positions have two
    # numbers, and a map tool's export may add an altitude.
    return {"type": value["type"], "coordinates": _flat(value["coordinates"])}


def _flat(node: Any) -> Any:
    if node and isinstance(node[0], int | float):
        return list(node[:2])
    return [_flat(child) for child in node]


def _check_ring(field: str, ring: Any) -> int:
    if not isinstance(ring, list) or len(ring) < 4:
        raise _refuse(
            field,
            "een ring van het gebied heeft minstens vier punten nodig (de eerste ook als laatste)",
            "a ring of the area needs at least four points (the first again as the last)",
        )
    for point in ring:
        if (
            not isinstance(point, list)
            or len(point) < 2
            or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in point[:2])
        ):
            raise _refuse(
                field,
                f"{point!r} is geen punt [lengte, breedte]",
                f"{point!r} is no point [lon, lat]",
            )
        lon, lat = point[0], point[1]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise _refuse(
                field,
                f"punt {point!r} ligt niet op aarde in WGS 84 (lengte, breedte in graden); is het "
                "gebied in RD (EPSG:28992)? Zet het om naar EPSG:4326",
                f"point {point!r} is not on earth in WGS 84 (longitude, latitude in degrees); is "
                "the area in RD (EPSG:28992)? Convert it to EPSG:4326",
            )
    if ring[0][:2] != ring[-1][:2]:
        raise _refuse(
            field,
            "een ring van het gebied is niet gesloten: het laatste punt moet het eerste zijn",
            "a ring of the area is not closed: its last point must be its first",
        )
    return len(ring)


def describe(area: dict[str, Any]) -> dict[str, Any]:
    """What the audit trail keeps of an area: its kind, size and bounding box, not every point."""
    polygons = area["coordinates"] if area["type"] == "MultiPolygon" else [area["coordinates"]]
    points = [p for polygon in polygons for ring in polygon for p in ring]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return {
        "type": area["type"],
        "points": len(points),
        "bbox": [min(lons), min(lats), max(lons), max(lats)],
    }


def read_area_file(path: Path) -> str:
    """The text of a GeoJSON file named on the command line; its problems named."""
    from workflow.environment import reading_input_file

    kind = Text("GeoJSON-bestand", "a GeoJSON file")
    with reading_input_file(path, "area", kind), path.open("rb") as handle:
        raw = handle.read(MAX_TEXT + 1)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse("area", f"{path} is geen UTF-8-tekst", f"{path} is not UTF-8 text") from None
