"""The adopted hotspot list for the public: an accessible HTML page, CSV and JSON open data.

Only what `PublicListData` holds is published; it carries no experts and no nominators.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from notifications import i18n
from notifications.document_data import PublicListData
from notifications.documents.common import (
    criteria_legend,
    criteria_text,
    environment,
    file_stem,
)
from notifications.files import defuse_cell, write_atomic
from states.i18n import Language

CSV_COLUMNS: tuple[str, ...] = (
    "nummer",
    "naam",
    "periode_begin",
    "periode_einde",
    "criteria",
    "omschrijving",
    "besluit_kenmerk",
    "besluit_datum",
    "publicatie_kenmerk",
)


def public_list_html(data: PublicListData) -> str:
    """The published page, in Dutch: the language of the decision it publishes."""
    lang: Language = "nl"
    period = f"{data.period_start}–{data.period_end}"
    kind = data.governing_body_kind
    return (
        environment(lang)
        .get_template("public_list.html")
        .render(
            lang=lang,
            title=i18n.gettext("Hotspotlijst %(organisation)s %(period)s", lang)
            % {"organisation": data.organisation, "period": period},
            data=data,
            period=period,
            # The body by its proper name when its kind is known, else as it was typed.
            body=kind.named(data.organisation)(lang) if kind else data.governing_body,
            criteria=criteria_legend(lang),
        )
    )


def public_list_csv(data: PublicListData) -> bytes:
    """One row per hotspot; UTF-8 with a BOM so Excel reads the accents right."""
    buffer = io.StringIO()
    # The csv module's default CRLF line ends are what RFC 4180 and Excel expect.
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    reference = data.publication.reference if data.publication else ""
    for h in data.hotspots:
        row = (
            h.number,
            h.title,
            h.period_start.isoformat(),
            h.period_end.isoformat() if h.period_end else "",
            criteria_text(h.criteria),
            h.description,
            data.decision_ref,
            data.decision_date.isoformat(),
            reference,
        )
        # Text typed by people must not run as a formula when the file is opened in a sheet.
        writer.writerow([defuse_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def public_list_json(data: PublicListData) -> bytes:
    """Open data: one object with the decision, the publication and the hotspots; ISO dates."""
    publication = data.publication
    document: dict[str, Any] = {
        "procedure": data.procedure_id,
        "organisation": data.organisation,
        "governing_body": data.governing_body,
        "period": {"start": data.period_start, "end": data.period_end},
        "legal_basis": data.legal_basis,
        "list_version": data.list_number,
        "decision": {"reference": data.decision_ref, "date": data.decision_date.isoformat()},
        "publication": (
            {
                "channel": publication.channel,
                "reference": publication.reference,
                "in_force": publication.in_force.isoformat(),
                "objection_weeks": publication.objection_weeks,
            }
            if publication
            else None
        ),
        "hotspots": [
            {
                "number": h.number,
                "name": h.title,
                "period_start": h.period_start.isoformat(),
                "period_end": h.period_end.isoformat() if h.period_end else None,
                "criteria": list(h.criteria),
                "description": h.description,
            }
            for h in data.hotspots
        ],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def public_list_files(data: PublicListData) -> dict[str, bytes]:
    """File name → content for `hotspotlijst-<procedure>.html`, `.csv` and `.json`."""
    stem = file_stem("hotspotlijst", data.procedure_id)
    return {
        f"{stem}.html": public_list_html(data).encode("utf-8"),
        f"{stem}.csv": public_list_csv(data),
        f"{stem}.json": public_list_json(data),
    }


def write_public_list(data: PublicListData, out_dir: Path) -> list[Path]:
    """Write the three files into `out_dir` (created), each atomically; their paths."""
    return [
        write_atomic(out_dir / name, content) for name, content in public_list_files(data).items()
    ]
