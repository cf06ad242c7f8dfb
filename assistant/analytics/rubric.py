"""Assessment assistant: propose category, automatable status and risk for a function text.

Two kinds of evidence, both shown to the analyst: a transparent keyword rubric (the same rules
the demo registry's illustrative assessment was made with, see data/demo/registry/SOURCE.md)
and the labels of the most similar functions that a human has already assessed. The result
is always a *proposal*: nothing here overwrites a human assessment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.analytics.counts import AUTOMATABLE, RISKS
from assistant.analytics.groups import LemmaVectorizer, strip_circumstantial
from assistant.text.analyzer import Analyzer

PROPOSAL_NOTE = "Предложение для проверки человеком, а не оценка: подтвердите или исправьте."
PROPOSAL_COLUMNS = (
    "proposed_category",
    "proposed_automatable",
    "proposed_risk",
    "proposal_rationale",
    "proposal_neighbours",
)
# Neighbours below this cosine similarity share too few words to say anything about a label.
MIN_NEIGHBOUR_SIMILARITY = 0.2


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    automatable: str
    risk: str
    pattern: re.Pattern[str]
    rationale: str


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


_R_DECISION = "Нормотворчество и утверждение актов требуют правовой экспертизы и ответственности должностного лица."
_R_ORG = (
    "Организационная и координационная работа автоматизируема частично (документооборот, планирование), "
    "решения принимают люди."
)
_R_CONTROL = (
    "Контроль и проверки ведут к юридически значимым выводам о нарушениях, нужны суждение и ответственность человека."
)
_R_SECURITY = "Вопросы национальной и общественной безопасности требуют решения и ответственности должностного лица."

# Order matters only on a tie (two rules matching at the same position): specific before generic.
# Stems are matched in lower-cased text, so one stem covers the verb and its action noun.
RULES: tuple[Rule, ...] = (
    Rule("R01", "иная", "частично", "средний",
         _rx(r"\bин(?:ые|ых) (?:полномочи|функци)"),
         "Отсылочная норма («иные полномочия / функции»): состав работ не определен, оценка условная."),
    Rule("R02", "контрольно-надзорная", "нет", "высокий",
         _rx(r"привлечени\w* (?:лиц\w* )?.{0,120}?к (?:\w+ )?ответственности", r"привлечени\w* к",
             r"протокол\w* об административн", r"выдач\w* предписани", r"\bтребу(?:ет|ют) от\b",
             r"предложений по запрещению"),
         "Меры ответственности и принуждения затрагивают права лиц и принимаются только должностным лицом."),
    Rule("R03", "контрольно-надзорная", "нет", "высокий",
         _rx(r"восстановлени\w* нарушенных прав"),
         "Решение о восстановлении прав принимается по существу должностным лицом."),
    Rule("R04", "иная", "нет", "высокий",
         _rx(r"предъявлени\w* (?:в суд\w* )?иск", r"иск\w* в суд"),
         "Предъявление исков в суд — процессуальное решение, требующее суждения и ответственности юриста."),
    Rule("R05", "иная", "нет", "высокий",
         _rx(r"пакет\w* акций"),
         "Управление государственным пакетом акций — корпоративные решения от имени государства."),
    Rule("R06", "разрешительная", "нет", "высокий",
         _rx(r"лицензирован", r"выдач\w* (?:лицензи|разрешени)", r"выда(?:ет|ют) (?:лицензи|разрешени)",
             r"аккредитаци(?!и журналист)", r"согласовани\w* деятельности", r"согласовыва\w* интеграци",
             r"разрешени\w* на"),
         "Разрешительные решения затрагивают права заявителей и требуют решения уполномоченного лица."),
    Rule("R07", "нормотворческая", "нет", "высокий",
         _rx(r"(?:формир|выработ|разраб)\w* (?:и реализ\w* )?(?:основн\w* направлени\w* )?"
             r"(?:государственн\w* )?(?:\w+ )?политик",
             r"на основе и во исполнение"),
         "Выработка государственной политики — стратегическое решение, требующее суждения и политической "
         "ответственности."),
    Rule("R08", "организационно-координационная", "нет", "высокий",
         _rx(r"(?:утвержд\w*|определени\w*|определя\w*) (?:персональн\w* )?состав"),
         "Решения о составе органов и рабочих групп — кадровые решения ответственного лица."),
    Rule("R09", "нормотворческая", "нет", "высокий", _rx(r"утвержд"), _R_DECISION),
    Rule("R10", "нормотворческая", "нет", "высокий",
         _rx(r"(?:разраб|определ|согласов|внесени|внос|выработ)\w*(?: и \w+)?(?:,? \w+)*? "
             r"(?:правил|порядк|методик|нормативн|положени|стандарт|требовани|перечн|план|проект|предложени|"
             r"рекомендаци|размер|количеств|форм\w* отчет|инструкци|технических параметр|квалификационн|"
             r"стратегическ|подзаконн)"),
         _R_DECISION),
    Rule("R11", "контрольно-надзорная", "частично", "средний",
         _rx(r"проверк\w* сведений"),
         "Сверку сведений и форм можно автоматизировать, вывод по существу остается за специалистом."),
    Rule("R12", "контрольно-надзорная", "частично", "средний",
         _rx(r"рассмотрени\w* отчет"),
         "Сверку сведений и форм можно автоматизировать, вывод по существу остается за специалистом."),
    Rule("R13", "контрольно-надзорная", "нет", "высокий",
         _rx(r"контрол", r"надзор", r"проверк", r"обследовани", r"экспертиз",
             r"обеспеч\w* (?:соблюдени|исполнени)"),
         _R_CONTROL),
    Rule("R14", "информационно-аналитическая", "частично", "средний",
         _rx(r"разъяснительн", r"пропагандистск", r"разъяснени", r"брифинг"),
         "Подготовку материалов можно автоматизировать, содержание публичных разъяснений утверждает "
         "ответственное лицо."),
    Rule("R15", "информационно-аналитическая", "да", "низкий",
         _rx(r"размещ\w* (?:на \w+ )?(?:информаци|\w+ отчет|на интернет)", r"размещ\w* на", r"публикац",
             r"опубликова", r"предоставлени\w* информаци", r"предоставля\w* информаци", r"запрашива",
             r"направля\w* (?:\w+ ){0,6}информаци", r"получать (?:\w+ ){0,6}сведени", r"свод\w* и обобщени",
             r"информировани", r"информированност", r"доступност\w* (?:подзаконн|нормативн)"),
         "Подготовка, передача и публикация информации по установленным формам — рутинная операция, хорошо "
         "автоматизируется."),
    Rule("R16", "информационно-аналитическая", "частично", "средний",
         _rx(r"анализ", r"прогнозировани", r"изучени", r"исследовани", r"оценк\w* (?!результат)",
             r"\bотчет", r"доклад", r"потребност\w* в кадрах"),
         "Сбор и первичную обработку данных можно автоматизировать, выводы и оценки формулирует специалист."),
    Rule("R17", "учетно-регистрационная", "частично", "средний",
         _rx(r"постановк\w* на учет", r"переучет"),
         "Постановку на учет можно автоматизировать в части приема и проверки документов, решение принимает "
         "должностное лицо."),
    Rule("R18", "учетно-регистрационная", "частично", "средний",
         _rx(r"мониторинг"),
         "Сбор и обработка данных мониторинга автоматизируемы, выводы и реагирование остаются за специалистом."),
    Rule("R19", "учетно-регистрационная", "да", "низкий",
         _rx(r"веден\w* (?:\w+ )?(?:реестр|учет|баз)", r"вед(?:ет|ут) (?:\w+ )?(?:реестр|учет|баз)", r"реестр",
             r"\bучет", r"баз\w* данных", r"архив", r"регистраци", r"регистрир"),
         "Ведение реестров, учета, баз данных и архивов — рутинная работа с записями, хорошо автоматизируется."),
    Rule("R20", "оказание услуг", "нет", "высокий",
         _rx(r"предоставлени\w* (?:государственн\w* )?грант", r"присуждени\w* преми"),
         "Предоставление грантов и премий — решение о правах получателей, принимается уполномоченным лицом."),
    Rule("R21", "оказание услуг", "частично", "средний",
         _rx(r"оказ\w* (?:\w+ ){0,4}(?:помощ|поддержк)", r"рассм\w* обращени", r"рассматрива\w* обращени"),
         "Типовые консультации и ответы автоматизируемы, решение по существу обращения принимает должностное лицо."),
    Rule("R22", "организационно-координационная", "нет", "высокий",
         _rx(r"международн\w* сотрудничеств", r"международн\w* договор"),
         "Международное сотрудничество и обязательства от имени государства требуют решения уполномоченного лица."),
    Rule("R23", "организационно-координационная", "да", "низкий",
         _rx(r"функционировани\w* электронн\w* информационн"),
         "Функционирование электронных информационных ресурсов — техническая задача, хорошо автоматизируется."),
    Rule("R24", "организационно-координационная", "да", "средний",
         _rx(r"доступ\w* (?:\w+ ){0,3}к информационн\w* систем"),
         "Доступ к информационным системам обеспечивается технической интеграцией, права доступа требуют контроля."),
    Rule("R25", "организационно-координационная", "частично", "средний",
         _rx(r"координ", r"организ", r"обеспеч", r"взаимодейств", r"руководств", r"реализаци", r"реализу",
             r"создани", r"созда", r"содействи", r"участи", r"реинжиниринг", r"\bмер[ыа]?\b", r"образовани",
             r"представительств", r"рассмотрени", r"размещени", r"формировани", r"методическ"),
         _R_ORG),
)  # fmt: skip

FALLBACK = Rule("R00", "иная", "частично", "средний", re.compile(r"$^"),
                "Ни одно правило рубрики не сработало: оценка по умолчанию, нужна экспертиза.")  # fmt: skip

# An override turns «да»/«частично» into «нет»/«высокий» wherever its words appear in the text.
OVERRIDES: tuple[Rule, ...] = (
    Rule("O1", "", "нет", "высокий", _rx(r"утвержд", r"определя\w* порядок"),
         "Функция включает утверждение или установление порядка — юридически значимое решение ответственного лица."),
    Rule("O2", "", "нет", "высокий", _rx(r"приняти\w* решени", r"соответствии содержания персональных"),
         "Функция включает принятие решения по существу, затрагивающего права лиц."),
    Rule("O3", "", "нет", "высокий", _rx(r"(?:осуществлени|проведени|организаци)\w* (?:и )?контрол"), _R_CONTROL),
    Rule("O4", "", "нет", "высокий", _rx(r"\bиск", r"ответственност"),
         "Функция связана с ответственностью или судебным иском — решение уполномоченного лица."),
    Rule("O5", "", "нет", "высокий", _rx(r"международн\w* договор", r"меморандум"),
         "Международные договоры и меморандумы заключаются от имени государства уполномоченным лицом."),
    Rule("O6", "", "нет", "высокий",
         _rx(r"национальн\w* безопасност", r"терроризм", r"экстремизм", r"мобилизац", r"гражданск\w* защит",
             r"государственн\w* секрет"),
         _R_SECURITY),
    Rule("O7", "", "нет", "высокий", _rx(r"экспертиз"), _R_CONTROL),
    Rule("O8", "", "нет", "высокий", _rx(r"конкурс\w* по (?:формировани|распределени)"),
         "Итоги конкурса определяют права участников и утверждаются комиссией или должностным лицом."),
)  # fmt: skip


@dataclass(frozen=True)
class RubricResult:
    rule_id: str
    category: str
    automatable: str
    risk: str
    rationale: str
    trigger: str = ""
    override_id: str = ""
    override_trigger: str = ""

    def explain(self) -> str:
        why = f"правило {self.rule_id}" + (f" («{self.trigger}»)" if self.trigger else "")
        if self.override_id:
            why += f", исключение {self.override_id} («{self.override_trigger}»)"
        return f"{why}: {self.rationale}"


def apply_rubric(text: str) -> RubricResult:
    """The rule whose trigger starts earliest wins (the leading verb or noun decides); then an
    override anywhere in the text can only make the assessment stricter."""
    low = strip_circumstantial(" ".join(text.lower().replace("ё", "е").split()))
    best: tuple[int, int, Rule, str] | None = None
    for order, rule in enumerate(RULES):
        m = rule.pattern.search(low)
        if m and (best is None or (m.start(), order) < best[:2]):
            best = (m.start(), order, rule, m.group(0))
    rule, trigger = (best[2], best[3]) if best else (FALLBACK, "")
    result = RubricResult(rule.id, rule.category, rule.automatable, rule.risk, rule.rationale, trigger.strip())
    if rule.automatable == "нет":
        return result
    for override in OVERRIDES:
        m = override.pattern.search(low)
        if m:
            return RubricResult(
                rule.id, rule.category, override.automatable, override.risk, override.rationale,
                result.trigger, override.id, m.group(0).strip(),
            )  # fmt: skip
    return result


@dataclass(frozen=True)
class Neighbour:
    function_id: str
    similarity: float
    agency: str
    function_text: str
    category: str
    automatable: str
    risk: str

    def short(self) -> str:
        return f"{self.function_id} ({self.similarity:.2f}: {self.category} / {self.automatable} / {self.risk})"


@dataclass
class Proposal:
    function_text: str
    category: str
    automatable: str
    risk: str
    rationale: str
    rubric: RubricResult
    neighbours: list[Neighbour] = field(default_factory=list)
    neighbour_vote: dict[str, str] = field(default_factory=dict)
    agrees_with_neighbours: bool | None = None
    source: str = "rubric"  # rubric | neighbours: which evidence decided
    note: str = PROPOSAL_NOTE

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": "proposal",
            "note": self.note,
            "function_text": self.function_text,
            "proposed_category": self.category,
            "proposed_automatable": self.automatable,
            "proposed_risk": self.risk,
            "rationale": self.rationale,
            "decided_by": self.source,
            "rubric": {
                "rule": self.rubric.rule_id, "trigger": self.rubric.trigger, "override": self.rubric.override_id,
                "category": self.rubric.category, "automatable": self.rubric.automatable, "risk": self.rubric.risk,
            },
            "neighbours": [n.__dict__ for n in self.neighbours],
            "neighbour_vote": self.neighbour_vote,
            "agrees_with_neighbours": self.agrees_with_neighbours,
        }  # fmt: skip


def is_assessed(row: Mapping[str, Any]) -> bool:
    return (
        bool(str(row.get("category") or "").strip())
        and str(row.get("automatable") or "").strip().lower() in AUTOMATABLE
        and str(row.get("automation_risk") or "").strip().lower() in RISKS
    )


def _vote(neighbours: Sequence[Neighbour], attr: str) -> str:
    weights: dict[str, float] = {}
    for n in neighbours:
        weights[getattr(n, attr)] = weights.get(getattr(n, attr), 0.0) + n.similarity
    return max(weights.items(), key=lambda kv: kv[1])[0] if weights else ""


class Assessor:
    """Proposes labels for function texts against a reference set of human-assessed rows."""

    def __init__(self, reference: Sequence[Mapping[str, Any]], analyzer: Analyzer, k: int = 5) -> None:
        self.reference = [r for r in reference if is_assessed(r) and str(r.get("function_text") or "").strip()]
        self.k = k
        self._vectorizer = LemmaVectorizer(analyzer)
        texts = [str(r["function_text"]) for r in self.reference]
        self._matrix = self._vectorizer.fit_transform(texts) if texts else np.zeros((0, 0))

    def neighbours(self, text: str, exclude_id: str | None = None) -> list[Neighbour]:
        if not self.reference:
            return []
        sims = self._matrix @ self._vectorizer.transform([text])[0]
        out: list[Neighbour] = []
        for i in np.argsort(-sims, kind="stable"):
            row = self.reference[int(i)]
            if exclude_id is not None and str(row.get("function_id")) == exclude_id:
                continue
            if sims[i] < MIN_NEIGHBOUR_SIMILARITY or len(out) >= self.k:
                break
            out.append(
                Neighbour(
                    str(row.get("function_id", "")), round(float(sims[i]), 3), str(row.get("agency", "")),
                    str(row["function_text"]), str(row["category"]), str(row["automatable"]).lower(),
                    str(row["automation_risk"]).lower(),
                )
            )  # fmt: skip
        return out

    def propose(self, text: str, exclude_id: str | None = None) -> Proposal:
        rubric = apply_rubric(text)
        near = self.neighbours(text, exclude_id)
        vote = {a: _vote(near, a) for a in ("category", "automatable", "risk")} if near else {}
        proposal = Proposal(text, rubric.category, rubric.automatable, rubric.risk, "", rubric, near, vote)
        # The rubric decides whenever one of its rules fired; the neighbours decide only for a
        # wording the rubric does not know, and then only if they really resemble the text.
        if rubric.rule_id == FALLBACK.id and near and near[0].similarity >= 0.35:
            proposal.category, proposal.automatable, proposal.risk = vote["category"], vote["automatable"], vote["risk"]
            proposal.source = "neighbours"
        if vote:
            proposal.agrees_with_neighbours = (proposal.category, proposal.automatable, proposal.risk) == (
                vote["category"], vote["automatable"], vote["risk"],
            )  # fmt: skip
        proposal.rationale = _rationale(proposal)
        return proposal

    def bulk(self, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Every row with the proposal columns appended; the row's own columns, including any
        human assessment, are copied unchanged."""
        out = []
        for row in rows:
            text = str(row.get("function_text") or "")
            p = self.propose(text, exclude_id=str(row.get("function_id") or "") or None)
            new = dict(row)
            new.update({
                "proposed_category": p.category, "proposed_automatable": p.automatable, "proposed_risk": p.risk,
                "proposal_rationale": p.rationale, "proposal_neighbours": "; ".join(n.short() for n in p.neighbours),
            })  # fmt: skip
            out.append(new)
        return out


def _rationale(p: Proposal) -> str:
    parts = [f"Рубрика: {p.rubric.explain()}"]
    if p.neighbours:
        v = p.neighbour_vote
        parts.append(
            f"Похожие оценённые функции ({len(p.neighbours)}, лучшая {p.neighbours[0].function_id} "
            f"со сходством {p.neighbours[0].similarity:.2f}) чаще всего: "
            f"{v['category']} / {v['automatable']} / {v['risk']}."
        )
    else:
        parts.append("Похожих оценённых функций не найдено.")
    if p.source == "neighbours":
        parts.append("Правило не сработало, поэтому предложение взято у похожих функций.")
    elif p.agrees_with_neighbours is False:
        parts.append("Рубрика расходится с похожими функциями — проверьте особенно внимательно.")
    parts.append(PROPOSAL_NOTE)
    return " ".join(parts)
