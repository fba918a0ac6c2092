"""Table exports for people who open them in a spreadsheet: Dutch-Excel CSV and .xlsx.

Dutch Excel splits CSV on semicolons (the comma is the decimal sign) and reads UTF-8 only when
the file starts with a byte-order mark; without both, a double-clicked export opens as one
column of mangled letters. Every cell a spreadsheet would run as a formula is defused in both
formats: in .xlsx it is stored as text, so nothing a user typed can become a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from notifications.files import defuse_cell

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel's longest sheet name; longer ones are refused when the file is opened.
_SHEET_TITLE_MAX = 31
_COLUMN_WIDTH_MAX = 60


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool | int | float):
        return value
    return str(value)


def dutch_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV as Dutch Excel opens it: BOM, semicolons, CRLF, formulas defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([defuse_cell(_cell(v)) for v in row])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def xlsx(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet: a bold, frozen header row, text cells kept as text, columns fitted."""
    from openpyxl import Workbook  # imported here: only an export needs it
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "".join(c for c in title if c not in "[]:*?/\\")[:_SHEET_TITLE_MAX] or "Blad1"
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(h) for h in header]
    for row in rows:
        values = [_cell(v) for v in row]
        sheet.append(values)
        for column, (cell, value) in enumerate(zip(sheet[sheet.max_row], values, strict=False)):
            if isinstance(value, str):
                # Text stays text: "=1+1" typed by a user is shown, never computed.
                cell.value = value
                cell.data_type = "s"
            if column < len(widths):
                widths[column] = max(widths[column], min(len(str(value)), _COLUMN_WIDTH_MAX))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(1, column).column_letter].width = width + 2
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
