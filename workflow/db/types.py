"""Column types that behave the same on SQLite and PostgreSQL.

UTCDateTime is defined with the mail side's tables (notifications.schema, the lowest layer that
stores anything); the migrations name it here, as `workflow.db.types.UTCDateTime`.
"""

from __future__ import annotations

from notifications.schema import UTCDateTime as UTCDateTime
