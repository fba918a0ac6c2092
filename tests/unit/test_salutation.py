"""Letters greet a person as the facilitator recorded: a title with the surname, or "Beste"."""

from __future__ import annotations

import pytest

from states.salutation import greeting, surname


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Femke de Wit", "De Wit"),
        ("Jan van der Berg", "Van der Berg"),
        ("Jan Peter de Vries", "De Vries"),
        ("Anna Jansen", "Jansen"),
        ("Mira Maatschappij-Kok", "Maatschappij-Kok"),
        ("Cher", "Cher"),
        ("Pieter ter Horst", "Ter Horst"),
    ],
)
def test_the_surname_starts_at_the_first_tussenvoegsel_capitalised(
    name: str, expected: str
) -> None:
    assert surname(name) == expected


def test_a_title_takes_the_surname_and_neutral_the_whole_name() -> None:
    assert greeting("Femke de Wit", "mevrouw", "nl") == "Geachte mevrouw De Wit"
    assert greeting("Jan van der Berg", "heer", "nl") == "Geachte heer Van der Berg"
    assert greeting("Femke de Wit", "neutraal", "nl") == "Beste Femke de Wit"
    assert greeting("Femke de Wit", "mevrouw", "en") == "Dear Ms De Wit"
    assert greeting("Jan van der Berg", "heer", "en") == "Dear Mr Van der Berg"
    assert greeting("Femke de Wit", "neutraal", "en") == "Dear Femke de Wit"


def test_an_unknown_salutation_greets_neutrally_rather_than_guessing() -> None:
    assert greeting("Femke de Wit", "prof", "nl") == "Beste Femke de Wit"
