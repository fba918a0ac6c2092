"""iTIP calendar invitations for expert sessions (RFC 5546 REQUEST and CANCEL)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress

from states.i18n import AMSTERDAM

PRODUCT_ID = "-//hotspot-monitor//hotspotmonitor//NL"
# Sessions are planned as a start moment; an afternoon is what the procedure guides describe.
SESSION_LENGTH = timedelta(hours=3)


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class SessionEvent:
    uid: str
    sequence: int
    start: datetime
    summary: str
    description: str
    location: str | None
    organizer: Person
    attendee: Person


def _amsterdam_timezone() -> Timezone:
    """A compact VTIMEZONE for Europe/Amsterdam (EU summer time rules, in force since 1996)."""
    zone = Timezone()
    zone.add("tzid", "Europe/Amsterdam")
    summer = TimezoneDaylight()
    summer.add("tzname", "CEST")
    summer.add("dtstart", datetime(1981, 3, 29, 2, 0, 0))
    summer.add("tzoffsetfrom", timedelta(hours=1))
    summer.add("tzoffsetto", timedelta(hours=2))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    winter = TimezoneStandard()
    winter.add("tzname", "CET")
    winter.add("dtstart", datetime(1996, 10, 27, 3, 0, 0))
    winter.add("tzoffsetfrom", timedelta(hours=2))
    winter.add("tzoffsetto", timedelta(hours=1))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    zone.add_component(summer)
    zone.add_component(winter)
    return zone


def _address(person: Person) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    # A CN is a parameter value: line breaks or quotes in a name must not break the line.
    address.params["CN"] = " ".join(person.name.replace('"', "'").split())
    return address


def invitation(event: SessionEvent, *, method: str, stamp: datetime) -> str:
    """The VCALENDAR text for METHOD:REQUEST (new or changed) or METHOD:CANCEL."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(_amsterdam_timezone())
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", stamp.astimezone(UTC))
    start = event.start.astimezone(AMSTERDAM)
    vevent.add("dtstart", start)
    vevent.add("dtend", start + SESSION_LENGTH)
    vevent.add("summary", event.summary)
    vevent.add("description", event.description)
    if event.location:
        vevent.add("location", event.location)
    vevent["organizer"] = _address(event.organizer)
    attendee = _address(event.attendee)
    attendee.params["ROLE"] = "REQ-PARTICIPANT"
    attendee.params["PARTSTAT"] = "NEEDS-ACTION"
    attendee.params["RSVP"] = "TRUE"
    vevent.add("attendee", attendee)
    vevent.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    calendar.add_component(vevent)
    text: str = calendar.to_ical().decode("utf-8")
    return text
