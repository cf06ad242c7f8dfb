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
    r"\b(кто|чья|чьей|за кем|кем|кім(ге|нің|ді|дер|де)?|"
    r"(қай|қандай) (орган|мекеме|комитет|министрлі|басқарма|департамент|әкімдік|ұйым)\w*|"
    # «какой орган / какому комитету / какое управление / в каком министерстве …»: a body asked for
    r"как(ой|ое|ая|ие|ого|ому|им|ом|ую|их) (гос)?(орган|ведомств|комитет|министерств|департамент|управлени|"
    r"служб|акимат|учреждени|организаци)\w*)\b",
    re.I,
)
_STATUS = re.compile(r"(автоматиз|автоматтандыр|\bриск|тәуекел|\bИИ\b|искусственн\w+ интеллект)", re.I)
# «какие … функции» within one sentence: «…сведения о том, какие меры мы принимаем. Эта функция
# в реестре отмечена?» asks about one function, not for a list
_LIST = re.compile(
    r"(\bкакие\b[^?.!]*\bфункци|\bперечисл|\bсписок\b|\bперечень функц|\bвсе функции|"
    r"қандай функция|функцияларын|тізімі)",
    re.I,
)
_COUNT = re.compile(r"\b(сколько|количеств\w*|число функций|неше|қанша)\b", re.I)
# A count of the functions themselves: «Сколько их?», «сколько таких функций», «функциялар саны».
# Without one, a question that asks who first («Какой орган по реестру выдаёт лицензию и сколько
# стоит сбор?») and then how much of something else is a «who» question whose second half the
# registry does not state, not a count
_COUNT_OF_ROWS = re.compile(
    r"(\b(сколько|количеств\w*|число|неше|қанша)\s+(\w+\s+){0,3}?(функци|запис|строк|позици|их\b)|"
    r"функция\w* саны)",
    re.I,
)
_LAW = re.compile(
    r"(\bстать\w*|\bзакон\w*|\bнорм\w*|на каком основании|правов\w+ основани|\bбап\b|заң\w*|"
    r"\bпункт\w*|согласно|в какой срок|\bсрок\w*|мерзім)",
    re.I,
)
_REGISTRY_WORD = re.compile(r"(реестр|тізілім|функци)", re.I)
_CONNECTIVE = re.compile(r"^\s*(а|и|ещё|еще|также|ал|ал енді|ал егер|сонда|тағы)\b", re.I)
# Words that point back to something said earlier: a question that uses one has no subject of
# its own («А какому из них…», «по его итогам», «он может отозвать…», «Бұл қалай?»).
POINTS_BACK = re.compile(
    r"\b(он|она|оно|они|его|её|ее|их|них|ему|ей|им|ним|нему|ней|нем|нём|"
    r"эт(от|а|о|и|ого|ой|ом|им|их|ому|у)|так(ой|ая|ое|ие|ого|ом)|данн(ый|ая|ое|ые|ого|ой|ом)|"
    r"указанн(ый|ая|ое|ые|ого|ой|ом)|там|туда|ол|оны|оның|оған|онда|олар|олардың|бұл|бұның|осы|сол|соның|аталған)\b",
    re.I,
)
# A question naming at most this many things of its own leans on the previous one
# («Срок рассмотрения?», «А межконфессионального?», «ал кім бекітеді?»).
ELLIPTICAL_TERMS = 2
_INJECTION = re.compile(
    r"(игнорир\w+ (все |предыдущ|прошл|систем)|забудь (все|предыдущ|инструкц)|ignore (all |previous |the )|"
    r"disregard (all|previous)|system prompt|систем\w+ (промпт|инструкц)|ты теперь|you are now|"
    r"нұсқауларды елеме|барлық нұсқау|jailbreak|режим разработчика|developer mode|"
    r"выдай (свой|системн)|раскрой (свои|систем)|без ссылок на источники|придумай|"
    # role play: the assistant asked to act as an official and sign, order or decide
    r"давай поиграем|представь,? что ты|ты\s*[—–-]\s*(министр|аким|руководител|начальник|судья)|в роли (министр|акима|руководител)|"
    r"ойнайық|сен енді|рөлінде)",
    re.I,
)
# A request for a particular person's data: an identifying number (ИИН/ЖСН, 12 digits) or a
# name with what the person's address, phone or job is. Kenes holds laws and the registry of
# functions, never personal records, and must not pretend to look them up.
_PERSON_ID = re.compile(r"(?<!\d)\d{12}(?!\d)|\b(ИИН|ЖСН)\b", re.I)
# …asked for, not given: «Мой ИИН …, телефон …» followed by a question about the law is not a lookup
_PERSONAL_DETAILS = re.compile(
    r"((нуж\w+|дай\w*|найди\w*|посмотри\w*|скажи\w*|подскажи\w*|узнай\w*|пробей\w*|сообщи\w*)\b[^.?!]*"
    r"(адрес|телефон|мест\w* работы|где (он|она) )|где (он|она)? ?(живет|живёт|проживает|работает)|"
    r"(мекенжай|телефон|қайда тұра|қай жерде тұра|қайда жұмыс)[^.?!]*(айтып бер|тауып бер|қарап бер|бере аласыз))",
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
    personal_lookup: bool = False
    follow_up: bool = False
    retrieval_query: str = ""
    filters: dict[str, str] = field(default_factory=dict)  # automatable / automation_risk


def own_words(text: str, lang: Lang) -> list[str]:
    """The words of `text` that say something (not stop words, not numbers)."""
    from assistant.text.analyzer import raw_tokens, word_term

    return [t for t in raw_tokens(text) if t.isalpha() and word_term(t.lower(), lang) is not None]


def elliptical(question: str, lang: Lang) -> bool:
    """Does the question lean on an earlier one: a pointing-back word, or too little of its own
    (a connective «а/и/ал» plus a word or two)? A self-contained question starts fresh."""
    if POINTS_BACK.search(question):
        return True
    limit = ELLIPTICAL_TERMS + (1 if _CONNECTIVE.search(question) else 0)
    return len(own_words(question, lang)) <= limit


def classify(question: str) -> Intent:
    count, who = _COUNT.search(question), _WHO.search(question)
    if (
        count
        and _REGISTRY_WORD.search(question)
        and (who is None or count.start() < who.start() or _COUNT_OF_ROWS.search(question))
    ):
        return "registry_count"
    if _LIST.search(question) and _REGISTRY_WORD.search(question):  # «список победителей» is not one
        return "registry_list"
    if _STATUS.search(question):
        return "registry_status"
    if _WHO.search(question):
        return "registry_who"
    return "law"


_SUBSTITUTABLE = {"NOUN", "ADJF", "PRTF"}


def substituted(previous: str, follow_up: str) -> str | None:
    """The previous question with the follow-up's one or two words put in place of the words
    of the same part of speech, case and number (the user inflects them to fit), or None when
    the follow-up is not such a replacement."""
    from assistant.text.analyzer import raw_tokens
    from assistant.text.russian import get_morph

    morph = get_morph()

    def form(word: str) -> tuple[str, str, str] | None:
        tag = morph.parse(word.lower())[0].tag
        return (str(tag.POS), str(tag.case), str(tag.number)) if tag.POS in _SUBSTITUTABLE else None

    words = [w for w in raw_tokens(follow_up) if w.isalpha() and not _CONNECTIVE.fullmatch(w)]
    if not words or len(words) > 2 or any(form(w) is None for w in words):
        return None
    tokens = raw_tokens(previous)
    out = previous
    for word in words:
        same = [t for t in tokens if t.isalpha() and form(t) == form(word) and t.lower() != word.lower()]
        if not same:
            return None
        # of the words of that form the last one: the head of the phrase the question ends on
        # («срок рассмотрения жалобы» + «А заявления?» → «срок рассмотрения заявления»)
        target = same[-1]
        out = re.sub(rf"\b{re.escape(target)}\b", word, out, count=1)
    return out


def understand(question: str, history: list[str] | None = None, lang: Lang | None = None) -> Understanding:
    lang = lang or detect_lang(question)
    follow_up = bool(history) and elliptical(question, lang)
    # the new question's own words twice: what it adds («А межконфессионального?») must outweigh
    # the topic it inherits, or the answer to the previous question comes back
    retrieval_query = f"{history[-1]} {question} {question}" if follow_up and history else question
    if follow_up and history and lang == "ru":
        # «А межконфессионального?» after «…состояние межэтнического согласия?» asks the same
        # with one word changed: the rewritten question is the query, nothing of the old topic
        retrieval_query = substituted(history[-1], question) or retrieval_query
    intent = classify(question)
    if follow_up and intent == "law" and not _LAW.search(question):
        intent = classify(
            f"{history[-1]} {question}" if history else question
        )  # asks what the last one asked
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
        personal_lookup=bool(_PERSON_ID.search(question) and _PERSONAL_DETAILS.search(question)),
        follow_up=follow_up,
        retrieval_query=retrieval_query,
        filters=filters,
    )
