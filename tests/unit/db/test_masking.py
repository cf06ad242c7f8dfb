from __future__ import annotations

import pytest

from assistant.db.audit import mask_pii


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Мой ИИН 900101300123.", "Мой ИИН [ИИН]."),
        ("БИН:123456789012, ИИН 900101300124", "БИН:[ИИН], ИИН [ИИН]"),
        ("звоните +7 701 123 45 67", "звоните [телефон]"),
        ("+7(727)2345678 или +77011234567", "[телефон] или [телефон]"),
        ("8 (701) 123-45-67", "[телефон]"),
        ("8-727-234-56-78, 87011234567", "[телефон], [телефон]"),
        ("почта a.b-c+d@gov.kz ответьте", "почта [email] ответьте"),
    ],
)
def test_masks_personal_data(text: str, expected: str) -> None:
    assert mask_pii(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Статья 8. Закон от 15 апреля 2013 года № 88-V",
        "номер 1234567890123 длиннее ИИН",  # 13 digits: not an ИИН
        "12345678901",  # 11 digits
        "пункт 8 статьи 7",
        "сумма 800 000 тенге",
    ],
)
def test_leaves_other_numbers(text: str) -> None:
    assert mask_pii(text) == text
