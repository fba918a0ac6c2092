"""The concept list as it is frozen for the archivist and the governing body, numbered."""

from __future__ import annotations

from states.snapshot import ListEntry, Part, ProcedureSnapshot


def numbered_entries(snapshot: ProcedureSnapshot) -> tuple[ListEntry, ...]:
    """The included candidates in time order, numbered by start year: 2020-1, 2020-2, 2021-1.

    Hotspot lists are read by period, so the number tells when an event began and stays
    stable once adopted.
    """
    if not {Part.CANDIDATES, Part.EXPERTS} <= snapshot.loaded:
        raise ValueError("numbering the concept list needs the candidates and the experts")
    experts = snapshot.expert_by_id()
    listed = sorted(snapshot.concept_list(), key=lambda c: (c.period_start, c.title, c.id))
    per_year: dict[int, int] = {}
    entries = []
    for candidate in listed:
        year = candidate.period_start.year
        per_year[year] = per_year.get(year, 0) + 1
        entries.append(
            ListEntry(
                candidate_id=candidate.id,
                number=f"{year}-{per_year[year]}",
                title=candidate.title,
                period_start=candidate.period_start,
                period_end=candidate.period_end,
                description=candidate.description,
                criteria=candidate.criteria,
                motivation=candidate.motivation,
                nominated_by_perspective=experts[candidate.nominated_by].perspective,
            )
        )
    return tuple(entries)
