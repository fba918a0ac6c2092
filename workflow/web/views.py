"""The facilitator pages' read side under the names the routes use (`workflow.read.procedures`)."""

from __future__ import annotations

from workflow.read.procedures import (
    AUDIT_PAGE_SIZE,
    DASHBOARD_PAGE_SIZE,
    AuditFilter,
    AuditPage,
    Caches,
    DashboardFilter,
    DashboardPage,
    ProcedurePage,
    VersionCache,
    audit_export,
    audit_page,
    dashboard,
    deadlines_page,
    procedure_page,
    rule_label,
)

__all__ = [
    "AUDIT_PAGE_SIZE",
    "DASHBOARD_PAGE_SIZE",
    "AuditFilter",
    "AuditPage",
    "Caches",
    "DashboardFilter",
    "DashboardPage",
    "ProcedurePage",
    "VersionCache",
    "audit_export",
    "audit_page",
    "dashboard",
    "deadlines_page",
    "procedure_page",
    "rule_label",
]
