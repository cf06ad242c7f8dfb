"""Numbers as texts state them, in digits or in words (Russian and Kazakh): to compare «в течение
пяти рабочих дней» with «5 рабочих дней», and to know that a sentence states a time span at all
(«двадцать четыре календарных дня», «он жұмыс күні»).

A numeral written in words is a run of number words, each matched as a whole word in any of its
case forms («четырнадцати», «сорока», «двадцать четыре» → 24), so an ordinary word that merely
starts like one («труд», «она», «семья») is not a number.
"""

from __future__ import annotations

import re

_CASE = r"(ь|и|ью|ти)"  # пять / пяти / пятью, the «-ти» of «5-ти»
_WORDS: tuple[tuple[str, int], ...] = (
    (r"од(ин|на|но|ного|ной|ному|ним|ном|ну|ни|них)", 1),
    (r"дв(а|е|ух|ум|умя)", 2),
    (r"тр(и|ех|ёх|ем|ём|емя)", 3),
    (r"четыр(е|ех|ёх|ем|ём|ьмя)", 4),
    (r"пят" + _CASE, 5), (r"шест" + _CASE, 6), (r"сем" + _CASE, 7), (r"(восем|восьм)" + _CASE, 8),
    (r"девят" + _CASE, 9), (r"десят" + _CASE, 10), (r"одиннадцат" + _CASE, 11),
    (r"двенадцат" + _CASE, 12), (r"тринадцат" + _CASE, 13), (r"четырнадцат" + _CASE, 14),
    (r"пятнадцат" + _CASE, 15), (r"шестнадцат" + _CASE, 16), (r"семнадцат" + _CASE, 17),
    (r"восемнадцат" + _CASE, 18), (r"девятнадцат" + _CASE, 19), (r"двадцат" + _CASE, 20),
    (r"тридцат" + _CASE, 30), (r"сорок(а)?", 40), (r"пят(ьдесят|идесяти|ьюдесятью)", 50),
    (r"шест(ьдесят|идесяти|ьюдесятью)", 60), (r"девяност(о|а)", 90), (r"(сто|ста)", 100),
    (r"бір", 1), (r"екі", 2), (r"үш", 3), (r"төрт", 4), (r"бес", 5), (r"алты", 6), (r"жеті", 7),
    (r"сегіз", 8), (r"тоғыз", 9), (r"он", 10), (r"жиырма", 20), (r"отыз", 30), (r"қырық", 40),
    (r"елу", 50), (r"алпыс", 60), (r"жетпіс", 70), (r"сексен", 80), (r"тоқсан", 90), (r"жүз", 100),
)  # fmt: skip
_VALUE = [(re.compile(rf"{pattern}", re.I), value) for pattern, value in _WORDS]
_NUMBER_WORD = "(?:" + "|".join(p for p, _ in _WORDS) + ")"
# a run of number words («двадцать четыре», «сто двадцать»), or digits
_NUMERAL = rf"(\d+|{_NUMBER_WORD}(?:\s+{_NUMBER_WORD})*)"
_UNIT = r"(рабоч\w*|календарн\w*|дн\w*|день|месяц\w*|час\w*|лет|год\w*|сут\w*|минут\w*|жұмыс|күн\w*|ай\w*|сағат\w*|жыл\w*)"
# «пяти (5) рабочих дней», «5 (пяти) рабочих дней»: the numeral nearest the unit counts
_AMOUNT = re.compile(rf"(?<!\w){_NUMERAL}\s+(?:\(\s*[^()]{{1,40}}\)\s+)?{_UNIT}(?!\w)", re.I)
_ANY = re.compile(rf"(?<!\w){_NUMERAL}(?!\w)", re.I)


def value(numeral: str) -> str | None:
    """«24», «двадцать четыре», «четырнадцати» → the number in digits; None if not a numeral."""
    if numeral.isdigit():
        return numeral
    total = 0
    for word in numeral.split():
        found = next((v for pattern, v in _VALUE if pattern.fullmatch(word)), None)
        if found is None:
            return None
        total += found
    return str(total) if total else None


def amounts(text: str) -> set[str]:
    """Numbers that count days, months, years or hours in a text (as digits)."""
    return {n for m in _AMOUNT.finditer(text) if (n := value(m.group(1))) is not None}


def numbers(text: str) -> set[str]:
    """Every number a text states, in digits or in words."""
    return {n for m in _ANY.finditer(text) if (n := value(m.group(1))) is not None}
