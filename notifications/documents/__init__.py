"""Documents made from a procedure: the proposal to the governing body and the public list."""

from __future__ import annotations

from notifications.documents.proposal import proposal_docx, proposal_html, write_proposal
from notifications.documents.public_list import (
    CSV_COLUMNS,
    public_list_csv,
    public_list_files,
    public_list_html,
    public_list_json,
    write_public_list,
)

__all__ = [
    "CSV_COLUMNS",
    "proposal_docx",
    "proposal_html",
    "public_list_csv",
    "public_list_files",
    "public_list_html",
    "public_list_json",
    "write_proposal",
    "write_public_list",
]
