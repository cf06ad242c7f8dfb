"""Query understanding: language, what kind of answer is wanted (registry fact, registry list
or count, law text), exact registry filters, follow-ups and prompt injection — rules that are
transparent and cheap, so a registry answer needs no model at all."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from assistant.domain import Lang
from assistant.text.lang import detect_lang

Intent = Literal["registry_who", "registry_status", "registry_list", "registry_count", "law"]

_WHO = re.compile(
    r"\b(кто|какой орган|какие органы|какое ведомство|какой госорган|какому органу|чья|чьей|за кем|"
    r"кем|кім|қай орган|қандай орган|қай мекеме)\b",
    re.I,
)
_STATUS = re.compile(r"(автоматиз|автоматтандыр|\bриск|тәуекел|\bИИ\b|искусственн\w+ интеллект)", re.I)
_LIST = re.compile(
    r"(\bкакие\b[^?]*\bфункци|\bперечисл|\bсписок\b|\bперечень функц|\bвсе функции|"
    r"қандай функция|функцияларын|тізімі)",
    re.I,
)
_COUNT = re.compile(r"\b(сколько|количеств\w*|число функций|неше|қанша)\b", re.I)
_LAW = re.compile(
    r"(\bстать\w*|\bзакон\w*|\bнорм\w*|на каком основании|правов\w+ основани|\bбап\b|заң\w*|"
    r"\bпункт\w*|согласно|в какой срок|\bсрок\w*|мерзім)",
    re.I,
)
_REGISTRY_WORD = re.compile(r"(реестр|тізілім|функци)", re.I)
_FOLLOW_UP = re.compile(r"^\s*(а|и|ещё|еще|также|а если|а что|а кто|ал|ал енді|ал егер|сонда)\b", re.I)
_INJECTION = re.compile(
    r"(игнорир\w+ (все |предыдущ|прошл|систем)|забудь (все|предыдущ|инструкц)|ignore (all |previous |the )|"
    r"disregard (all|previous)|system prompt|систем\w+ (промпт|инструкц)|ты теперь|you are now|"
    r"нұсқауларды елеме|барлық нұсқау|jailbreak|режим разработчика|developer mode|"
    r"выдай (свой|системн)|раскрой (свои|систем)|без ссылок на источники|придумай)",
    re.I,
)

# negated and partial forms first: «частично автоматизируемые» also contains the «да» pattern
AUTOMATABLE_WORDS = {
    "нет": re.compile(r"(нельзя автоматизировать|не автоматизиру\w+|не подлежат? автоматиз)", re.I),
    "частично": re.compile(r"частичн\w*|ішінара", re.I),
    "да": re.compile(
        r"(можно автоматизировать|автоматизируем\w*|полностью автомат|автоматтандыруға болады)", re.I
    ),
}
RISK_WORDS = {
    "низкий": re.compile(r"(низк\w+ риск|риск\w* низк|с низким|төмен)", re.I),
    "средний": re.compile(r"(средн\w+ риск|риск\w* средн|орташа)", re.I),
    "высокий": re.compile(r"(высок\w+ риск|риск\w* высок|жоғары)", re.I),
}


# Words that say what kind of registry question it is, not what it is about: they are dropped
# from the retrieval query so rows are found by their content.
_REGISTRY_META = re.compile(
    r"\b(в реестре|по реестру|эт\w+ функци\w*|функци\w*|отмечен\w*|отметк\w*|помечен\w*|"
    r"как\w* (у нее|у неё|у этой функции)|автоматизир\w*|автоматизац\w*|риск\w*|"
    r"тізілімде|тізілім бойынша|функция\w*|автоматтандыр\w*|тәуекел\w*|белгі\w*)",
    re.I,
)


def content_query(question: str) -> str:
    stripped = _REGISTRY_META.sub(" ", question)
    return stripped if len(stripped.split()) >= 2 else question


@dataclass
class Understanding:
    question: str
    lang: Lang
    intent: Intent
    wants_law: bool = False
    injection: bool = False
    follow_up: bool = False
    retrieval_query: str = ""
    filters: dict[str, str] = field(default_factory=dict)  # automatable / automation_risk


def understand(question: str, history: list[str] | None = None, lang: Lang | None = None) -> Understanding:
    lang = lang or detect_lang(question)
    follow_up = bool(history) and (_FOLLOW_UP.search(question) is not None or len(question.split()) <= 4)
    retrieval_query = f"{history[-1]} {question}" if follow_up and history else question
    intent: Intent = "law"
    if _COUNT.search(question) and _REGISTRY_WORD.search(question):
        intent = "registry_count"
    elif _LIST.search(question):
        intent = "registry_list"
    elif _STATUS.search(question):
        intent = "registry_status"
    elif _WHO.search(question):
        intent = "registry_who"
    if intent in ("registry_status", "registry_who"):
        retrieval_query = content_query(retrieval_query)
    filters: dict[str, str] = {}
    if intent in ("registry_list", "registry_count"):
        for value, pattern in AUTOMATABLE_WORDS.items():
            if pattern.search(question):
                filters["automatable"] = value
                break
        for value, pattern in RISK_WORDS.items():
            if pattern.search(question):
                filters["automation_risk"] = value
                break
    return Understanding(
        question=question,
        lang=lang,
        intent=intent,
        wants_law=bool(_LAW.search(question)),
        injection=bool(_INJECTION.search(question)),
        follow_up=follow_up,
        retrieval_query=retrieval_query,
        filters=filters,
    )
