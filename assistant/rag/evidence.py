"""Evidence first: the verbatim sentences/points of the retrieved articles that answer the
question, ranked by weighted term overlap plus what the question type asks for (a time limit,
a competent body, grounds for refusal …)."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from assistant.domain import Chunk
from assistant.rag.relevance import query_weights
from assistant.text.analyzer import Analyzer
from assistant.text.numbers import amounts
from assistant.text.sentences import split_sentences
from assistant.text.sparse import with_prefixes


class _Searcher(Protocol):
    def search(self, text: str) -> object: ...


class _TimeSpan:
    """A time span in any wording: «5 рабочих дней», «двадцать четыре календарных дня», «он
    жұмыс күні» (one definition of a stated amount, shared with the citation check), or
    «5-дневный»-style digits joined to their unit."""

    def __init__(self, joined: re.Pattern[str]) -> None:
        self._joined = joined

    def search(self, text: str) -> bool:
        return bool(amounts(text)) or self._joined.search(text) is not None


# question pattern → what a good answer sentence contains
QUESTION_TYPES: dict[str, tuple[re.Pattern[str], _Searcher]] = {
    "deadline": (
        re.compile(
            # how long / how soon: a time limit, or any span of days, months, years or hours
            r"(срок|в течение|за сколько|сколько (рабочих |календарных )?(дн|час|месяц|лет|год|недел)|сколько времени|как долго|когда|"
            r"продолжительност|мерзім|қанша (күн|сағат|ай|жыл)|қашан|ұзақтығы)",
            re.I,
        ),
        _TimeSpan(re.compile(r"\d+\s*-\s*(рабоч|календарн|дн|день|месяц|час|лет|год|күн|ай|жұмыс)", re.I)),
    ),
    "who": (
        re.compile(r"\b(кто|какой орган|какое ведомство|кем|кім|қай орган|қандай орган)\b", re.I),
        re.compile(
            r"(орган|министерств|корпорац|акимат|правительств|уполномоченн|уәкілетті|үкімет|әкім)", re.I
        ),
    ),
    "refusal": (
        re.compile(r"(отказ|бас тарт)", re.I),
        re.compile(r"(отказ|бас тарт)", re.I),
    ),
    "where": (
        re.compile(
            r"(\bгде\b|на как\w+ (площадк|ресурс|сайт|портал)|каким образом|какими способами|через что|"
            r"қайда|қалай|қандай жолдар|қандай тәсілдер)",
            re.I,
        ),
        re.compile(
            r"(портал|интернет-ресурс|веб-портал|корпорац|сайт|абонент|платформ|средств\w+ массов|"
            r"электронн|қызмет көрсетуші|арқылы)",
            re.I,
        ),
    ),
    "document": (
        re.compile(r"(каким (документом|актом)|какой документ|чем оформля|в какой форме|қандай құжат)", re.I),
        re.compile(
            r"(приказ|постановлени|решени|акт|отч[её]т|протокол|заключени|бұйрық|шешім|есеп|хаттама)", re.I
        ),
    ),
    # what a term means: the law defines it as «<term> – <what it is>» or «… понимается …»
    "definition": (
        re.compile(
            r"(что (это )?(значит|означает)|что так(ое|ая)|что понимается|что подразумева|понятие|"
            r"дегеніміз не|нені білдіреді|деген не)",
            re.I,
        ),
        re.compile(r"(\s[–—]\s|понимается|означает|дегеніміз|деп түсініледі)", re.I),
    ),
    "frequency": (
        re.compile(r"(как часто|с какой периодичностью|сколько раз|қаншалықты жиі|қанша рет)", re.I),
        re.compile(
            r"(ежегодн|ежеквартальн|ежемесячн|раз в (год|полгода|квартал|месяц)|не реже|жыл сайын|жылына|"
            r"тоқсан сайын|ай сайын)",
            re.I,
        ),
    ),
    "permission": (
        re.compile(r"(можно ли|вправе ли|допускается ли|может ли|разрешено ли|обязан ли|бола ма)", re.I),
        re.compile(r"(не может|не подлежит|запрещ|вправе|не допуска|обязан|не могут|болмайды|тыйым)", re.I),
    ),
}


@functools.lru_cache(maxsize=20_000)
def answer_types(text: str) -> frozenset[str]:
    """The answer types a text holds (a time limit, a body, a way …): index texts are asked about
    by every question of that type, and the patterns cost more than the lookup."""
    return frozenset(t for t, (_, answer) in QUESTION_TYPES.items() if answer.search(text))


ANAPHORA = re.compile(
    r"^(о данном|об этом|об указанн\w*|о таком|данн(ое|ый|ая|ые)|указанн\w+|так(ое|ой|ая|ие)|"
    r"эт(от|а|о|и)\b|бұл|осы|аталған)",
    re.I,
)


@dataclass
class Evidence:
    chunk: Chunk
    sentence: str
    score: float


MAX_PER_SOURCE = 2  # one long article must not crowd out the rest


def pick(scored: list[Evidence], limit: int) -> list[Evidence]:
    """The best `limit` distinct sentences, at most MAX_PER_SOURCE from one article."""
    picked: list[Evidence] = []
    per_article: dict[str, int] = {}
    for ev in sorted(scored, key=lambda e: e.score, reverse=True):
        if per_article.get(ev.chunk.citation, 0) >= MAX_PER_SOURCE or any(
            ev.sentence == p.sentence for p in picked
        ):
            continue
        per_article[ev.chunk.citation] = per_article.get(ev.chunk.citation, 0) + 1
        picked.append(ev)
        if len(picked) == limit:
            break
    return picked


def led_by_meaning(evidence: list[Evidence], top: Chunk, dense_of: Mapping[str, float]) -> list[Evidence]:
    """The answer's best source when it has no text in the question's language (a Russian-only
    act asked about in Kazakh) and none of its sentences was quoted: it shares no word with the
    question, so the sentence rankers pass over it however high the source ranker put it, and
    the answer quoted only articles that share words (usually the public-services act's Kazakh
    text). Its sentence closest in meaning to the question (`dense_of`: e5 similarity of sentences
    by text; those of `top` are read) leads, one quote more: the others were chosen for words."""
    own = {s: v for s, v in dense_of.items() if s in top.text}
    if not own or any(e.chunk.citation == top.citation for e in evidence):
        return evidence
    # scored as the quote it goes before: sent to the model as the best one would be
    best = max(own, key=own.__getitem__)
    return [Evidence(top, best, evidence[0].score if evidence else 1.0), *evidence]


# A question that asks for a calendar date, a sum of money or a number of days is answered only
# by a source that states one: when no retrieved text has a date (a month, «числа», 01.02.2024),
# a sum (тенге, МРП, a percentage) or a time span («пяти рабочих дней», «он жұмыс күні»,
# «незамедлительно»), the sources do not hold the answer however close their words are.
_MONTHS = (
    r"январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр|октябр|ноябр|декабр|"
    r"қаңтар|ақпан|наурыз|сәуір|мамыр|маусым|шілде|тамыз|қыркүйек|қазан|қараша|желтоқсан"
)
VALUE_QUESTIONS: dict[str, tuple[re.Pattern[str], _Searcher]] = {
    "date": (
        re.compile(
            r"(с какого числа|до какого числа|какого числа|к какому числу|какая дата|какой датой|"
            r"қай күнге дейін|қай күннен|қай күні)",
            re.I,
        ),
        re.compile(
            rf"(\b\d{{1,2}}\s+({_MONTHS})\w*|\b\d{{1,2}}\.\d{{1,2}}\.\d{{2,4}}\b|\b(\d{{1,2}}|\w+ого)(-го)?\s+числа\b|\bкүніне дейін)",
            re.I,
        ),
    ),
    "money": (
        re.compile(
            r"(сколько тенге|сколько стоит|какая сумма|как\w* размер\w* (мрп|оплаты|платы|штрафа|зарплаты|"
            r"заработной|оклада|пособия|пошлины)|какая ставка|какой (должностной )?оклад|қанша теңге|"
            r"қанша тұрады|қандай сома)",
            re.I,
        ),
        re.compile(
            r"(тенге|теңге|\bМРП\b|расч[её]тн\w+ показател|есептік көрсеткіш|\bАЕК\b|процент|%|пайыз)", re.I
        ),
    ),
    # how long, not when: «когда» may ask for a condition, and a law may answer it with one
    "duration": (
        re.compile(
            r"(за сколько (\w+ )?(дн|час|недел|месяц|лет)|сколько (\w+ )?(дней|часов|недель|месяцев|лет|времени)|"
            r"в какой срок|в какие сроки|в течение какого|какой срок|как долго|"
            r"қанша (жұмыс |күнтізбелік )?(күн|сағат|апта|ай|жыл)|қандай мерзім|мерзімі қандай)",
            re.I,
        ),
        _TimeSpan(
            re.compile(
                r"(незамедлительн|немедленн|безотлагательн|в день (обращения|поступления|подачи|получения)|"
                r"\d+\s*-\s*(рабоч|календарн|дн|час|месяч|лет|күн)|дереу|сол күні)",
                re.I,
            )
        ),
    ),
}


# «Законом РК от 25.11.2019 № 272-VI (вводится в действие с 01.01.2020)»: the dates of an
# amending act and of its entry into force, not a date the text sets
_ACT_REFERENCE = re.compile(
    r"(\bот\s+\d{1,2}(\.\d{1,2}\.|\s+\w+\s+)\d{4}(\s+года)?(\s*№\s*\S+)?|"
    r"\(вводится в действие[^)]*\)|\([^)]*қолданысқа енгізіледі\))",
    re.I,
)


def value_not_stated(question: str, texts: list[str]) -> str | None:
    """The kind of value (a date, a sum) the question asks for that none of `texts` states."""
    for kind, (asks, states) in VALUE_QUESTIONS.items():
        if asks.search(question) and not any(states.search(_ACT_REFERENCE.sub(" ", t)) for t in texts):
            return kind
    return None


def question_types(question: str) -> list[str]:
    return [name for name, (asks, _) in QUESTION_TYPES.items() if asks.search(question)]


class EvidenceRanker:
    def __init__(self, analyzer: Analyzer, idf: Callable[[str], float]) -> None:
        self.analyzer = analyzer
        self.idf = idf

    def rank(
        self,
        question: str,
        articles: list[Chunk],
        *,
        limit: int = 3,
        asks: str | None = None,
        lang: str | None = None,
    ) -> list[Evidence]:
        """`articles` are whole articles (best first); returns the best sentences over all of
        them, at most two from one article so one long article cannot crowd out the rest.
        `asks`: what the question asks for when `question` also carries an earlier question's
        topic (a follow-up): «Сколько дней …?» then «Какой документ составить по его итогам?»
        asks for a document, not a time limit. `lang`: the question's language; an article in the
        other one (a Russian-only act asked about in Kazakh) is read against the question's
        lexicon rendering at full weight, as its own words cannot occur there."""
        q_terms = query_weights(question, self.analyzer)
        rendered = {t: 1.0 if w < 1.0 and not t.startswith("^") else w for t, w in q_terms.items()}
        types = question_types(question if asks is None else asks)
        scored: list[Evidence] = []
        for rank, article in enumerate(articles):
            prior = 0.35 / (1 + rank)
            weights = rendered if lang is not None and article.lang != lang else q_terms
            previous = 0.0
            for sentence in split_sentences(article.text):
                terms = set(with_prefixes(self.analyzer.terms(sentence, article.lang)))
                own = sum(w * self.idf(t) for t, w in weights.items() if t in terms)
                # "О данном решении …", "Об этом …": a sentence that points back answers about
                # the one before it, so it inherits part of its predecessor's match
                carried = 0.5 * previous if ANAPHORA.match(sentence) else 0.0
                overlap, previous = own + carried, own
                if overlap <= 0 or len(sentence) < 25:
                    continue
                score = overlap / math.sqrt(max(8, len(terms))) + prior
                found = answer_types(sentence)
                for name in types:
                    if name in found:
                        score *= 1.5
                scored.append(Evidence(article, sentence, score))
        return pick(scored, limit)
