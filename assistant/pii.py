"""Personal data in free text (questions, answers, feedback): find it and mask it before it is
stored. Rules, not a model: each kind is a pattern plus, where a bare pattern would also match
ordinary numbers (sums, dates, article lists), a check digit or a context word.

Recall matters more than precision here (an over-masked audit row loses a number; an
under-masked one leaks a person), so a number that *looks* like an ИИН after «ИИН» is masked
even with a wrong check digit."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# one kind → its placeholder in masked text
PLACEHOLDERS = {
    "email": "[email]",
    "iban": "[IBAN]",
    "card": "[карта]",
    "iin": "[ИИН]",
    "phone": "[телефон]",
    "passport": "[паспорт]",
}

_SEP = r"[ \t\-.()]*"  # what people put between the digits of a phone number (never a newline)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])")
# cards as they are written: contiguous, or in groups of four (Amex 4-6-5)
_CARD = re.compile(
    r"(?<![\d+])(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2}[ -]\d{1,7}|\d{4}[ -]\d{6}[ -]\d{5})(?![\d])"
)
_IIN_WORD = re.compile(
    r"(?:ИИН|ИНН|БИН|ЖСН|БСН|IIN|BIN)\s*[:№#-]?\s*(\d(?:[ -]?\d){11})(?!\d)", re.IGNORECASE
)
_IIN_PLAIN = re.compile(r"(?<![\d+])\d{12}(?!\d)")
_IIN_GROUPED = re.compile(r"(?<![\d+])\d{2,6}(?:[ -]\d{2,6}){1,5}(?![\d])")
_PHONES = [
    re.compile(rf"(?<![\w+])\+{_SEP}\d(?:{_SEP}\d){{7,14}}(?!\d)"),  # +7 …, +49 …, +1 …
    re.compile(rf"(?<![\d+])8{_SEP}[3-9](?:{_SEP}\d){{9}}(?!\d)"),  # 8 701 …, 8 727 …, 8 916 …
    re.compile(rf"(?<![\d+])7{_SEP}[79](?:{_SEP}\d){{9}}(?!\d)"),  # 7 701 … (wa.me style)
    re.compile(rf"(?<![\d+])\(?[79]\d\d\)?{_SEP}\d(?:{_SEP}\d){{6}}(?!\d)"),  # 701 123 45 67
    re.compile(r"(?<![\d\-])\d{3}-\d{2}-\d{2}(?![\d\-])"),  # 234-56-78
]
_PASSPORT_PLAIN = re.compile(r"(?<![\w])[NН]\d{8}(?!\d)")  # Kazakhstan passport: N12345678
_PASSPORT_WORD = re.compile(
    r"(?i:паспорт\w*|удостоверени\w+ личности|уд\.\s*личности|төлқұжат\w*|жеке куәлі\w*|passport)"
    r"[^\n\d]{0,25}?((?:[A-ZА-ЯЁ]{1,2} ?)?\d(?:[ \-№]{0,3}\d){5,9})(?!\d)"
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def iin_check_ok(digits: str) -> bool:
    """The ИИН/БИН check digit (two weight rounds, mod 11)."""
    nums = [int(c) for c in digits]
    check = sum(n * w for n, w in zip(nums[:11], range(1, 12), strict=True)) % 11
    if check == 10:
        weights = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]
        check = sum(n * w for n, w in zip(nums[:11], weights, strict=True)) % 11
    return check != 10 and check == nums[11]


def _iin_like(digits: str) -> bool:
    """A spaced 12-digit group is an ИИН if its first six digits are a birth date and the 7th a
    century/sex digit, or if its check digit holds (БИН); sums like «100 000 000 000» are neither."""
    month, day = int(digits[2:4]), int(digits[4:6])
    dated = 1 <= month <= 12 and 1 <= day <= 31 and digits[6] in "0123456"
    return dated or iin_check_ok(digits)


def _iban_ok(value: str) -> bool:
    compact = value.replace(" ", "").upper()
    if compact.startswith("KZ") and len(compact) == 20:
        return True  # the Kazakh shape is enough: a mistyped account is still an account
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


Finder = Callable[[str], Iterator[tuple[int, int]]]


def _all(pattern: re.Pattern[str], accept: Callable[[str], bool] = lambda _: True, group: int = 0) -> Finder:
    def find(text: str) -> Iterator[tuple[int, int]]:
        for m in pattern.finditer(text):
            if accept(m.group(group)):
                yield m.start(group), m.end(group)

    return find


_FINDERS: list[tuple[str, Finder]] = [
    ("email", _all(_EMAIL)),
    ("iban", _all(_IBAN, _iban_ok)),
    ("card", _all(_CARD, lambda s: luhn_ok(_digits(s)))),
    ("iin", _all(_IIN_WORD, group=1)),
    ("iin", _all(_IIN_PLAIN)),
    ("iin", _all(_IIN_GROUPED, lambda s: len(_digits(s)) == 12 and _iin_like(_digits(s)))),
    *[("phone", _all(p)) for p in _PHONES],
    ("passport", _all(_PASSPORT_PLAIN)),
    ("passport", _all(_PASSPORT_WORD, group=1)),
]


def find_pii(text: str) -> list[Span]:
    """Non-overlapping spans of personal data, in text order; earlier rules win a tie."""
    taken: list[Span] = []
    for kind, finder in _FINDERS:
        for start, end in finder(text):
            if not any(start < s.end and s.start < end for s in taken):
                taken.append(Span(start, end, kind))
    return sorted(taken, key=lambda s: s.start)


def mask_pii(text: str) -> str:
    """`text` with ИИН/БИН, phone, card, passport numbers, IBANs and e-mails replaced by
    placeholders such as «[ИИН]»."""
    if not text:
        return text
    out: list[str] = []
    pos = 0
    for span in find_pii(text):
        out += [text[pos : span.start], PLACEHOLDERS[span.kind]]
        pos = span.end
    out.append(text[pos:])
    return "".join(out)
