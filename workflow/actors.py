"""Who acted, as mails name them: a person's name, never a stored `role:id` actor string.

The mail side cannot read through workflow.read (the read side renders calendars through the
mail side), so this small resolver sits below both.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from states.i18n import Language, Text
from workflow.db.models import Expert, Member, User, table_of

ET, MT, UT = table_of(Expert), table_of(Member), table_of(User)

# A link holder whose row is gone still gets a word for their role, never their row id.
_ROLE_WORDS: dict[str, Text] = {
    "archivaris": Text("de archivaris", "the archivist"),
    "management": Text("het bestuursorgaan", "the governing body"),
    "expert": Text("een expert", "an expert"),
}
_SYSTEM = Text("het systeem", "the system")
_SOMEONE = Text("een deelnemer", "a participant")


def person_name(connection: Connection, procedure_id: str, actor: str, lang: Language) -> str:
    """The name of the person behind `actor`: `archivaris:5` → "Carla de Vries"."""
    if actor == "system":
        return _SYSTEM(lang)
    prefix, colon, number = actor.partition(":")
    if colon and number.isdecimal() and len(number) <= 18:
        table = ET if prefix == "expert" else MT
        name = connection.execute(
            select(table.c.name).where(
                table.c.procedure_id == procedure_id, table.c.id == int(number)
            )
        ).scalar()
        if name:
            return str(name)
        words = _ROLE_WORDS.get(prefix)
        return (words or _SOMEONE)(lang)
    user = connection.execute(select(UT.c.name).where(UT.c.username == actor)).scalar()
    return str(user) if user else actor
