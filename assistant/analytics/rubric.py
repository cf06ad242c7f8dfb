"""Assessment assistant: propose category, automatable status and risk for a function text.

Two kinds of evidence, both shown to the analyst: a transparent keyword rubric (the same rules
the demo registry's illustrative assessment was made with, see data/demo/registry/SOURCE.md)
and the labels of the most similar functions that a human has already assessed. The result
is always a *proposal*: nothing here overwrites a human assessment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from assistant.analytics.counts import AUTOMATABLE, RISKS
from assistant.analytics.groups import LemmaVectorizer, strip_circumstantial
from assistant.text.analyzer import Analyzer

PROPOSAL_NOTE = "Предложение для проверки человеком, а не оценка: подтвердите или исправьте."
PROPOSAL_COLUMNS = (
    "proposed_category", "proposed_automatable", "proposed_risk", "proposal_rationale", "proposal_neighbours",
)  # fmt: skip
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
    # Generic triggers («обеспечение», «формирование») lose to any specific rule later in the
    # text: «обеспечивают предоставление информации» is about information, not organisation.
    weak: bool = False


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


def _rule(rid: str, cat: str, aut: str, risk: str, why: str, *patterns: str, weak: bool = False) -> Rule:
    return Rule(rid, cat, aut, risk, _rx(*patterns), why, weak)


# fmt: off
_NORM, _CONTROL, _INFO = "нормотворческая", "контрольно-надзорная", "информационно-аналитическая"
_ORG, _SERV, _OTHER = "организационно-координационная", "оказание услуг", "иная"
_RECORDS, _PERMITS = "учетно-регистрационная", "разрешительная"
_WHY = {
    "other": "Отсылочная норма («иные полномочия / функции»): состав работ не определен, "
    "оценка условная.",
    "sanction": "Меры ответственности и принуждения затрагивают права лиц и принимаются только "
    "должностным лицом.",
    "rights": "Решение о восстановлении прав принимается по существу должностным лицом.",
    "court": "Предъявление исков в суд — процессуальное решение, требующее суждения и ответственности "
    "юриста.",
    "shares": "Управление государственным пакетом акций — корпоративные решения от имени государства.",
    "permit": "Разрешительные решения затрагивают права заявителей и требуют решения уполномоченного лица.",
    "policy": "Выработка государственной политики — стратегическое решение, требующее суждения и "
    "политической ответственности.",
    "staff": "Решения о составе органов и рабочих групп — кадровые решения ответственного лица.",
    "norm": "Нормотворчество и утверждение актов требуют правовой экспертизы и ответственности "
    "должностного лица.",
    "check": "Сверку сведений и форм можно автоматизировать, вывод по существу остается за специалистом.",
    "control": "Контроль и проверки ведут к юридически значимым выводам о нарушениях, нужны суждение и "
    "ответственность человека.",
    "explain": "Подготовку материалов можно автоматизировать, содержание публичных разъяснений утверждает "
    "ответственное лицо.",
    "publish": "Подготовка, передача и публикация информации по установленным формам — рутинная операция, "
    "хорошо автоматизируется.",
    "analysis": "Сбор и первичную обработку данных можно автоматизировать, выводы и оценки формулирует "
    "специалист.",
    "enrol": "Постановку на учет можно автоматизировать в части приема и проверки документов, решение "
    "принимает должностное лицо.",
    "monitor": "Сбор и обработка данных мониторинга автоматизируемы, выводы и реагирование остаются за "
    "специалистом.",
    "records": "Ведение реестров, учета, баз данных и архивов — рутинная работа с записями, хорошо "
    "автоматизируется.",
    "grants": "Предоставление грантов и премий — решение о правах получателей, принимается уполномоченным "
    "лицом.",
    "appeals": "Типовые консультации и ответы автоматизируемы, решение по существу обращения принимает "
    "должностное лицо.",
    "intl": "Международное сотрудничество и обязательства от имени государства требуют решения "
    "уполномоченного лица.",
    "eres": "Функционирование электронных информационных ресурсов — техническая задача, хорошо "
    "автоматизируется.",
    "access": "Доступ к информационным системам обеспечивается технической интеграцией, права доступа "
    "требуют контроля.",
    "org": "Организационная и координационная работа автоматизируема частично (документооборот, "
    "планирование), решения принимают люди.",
    "none": "Ни одно правило рубрики не сработало: оценка по умолчанию, нужна экспертиза.",
    "approve": "Функция включает утверждение или установление порядка — юридически значимое решение "
    "ответственного лица.",
    "decide": "Функция включает принятие решения по существу, затрагивающего права лиц.",
    "liable": "Функция связана с ответственностью или судебным иском — решение уполномоченного лица.",
    "treaty": "Международные договоры и меморандумы заключаются от имени государства уполномоченным лицом.",
    "security": "Вопросы национальной и общественной безопасности требуют решения и ответственности "
    "должностного лица.",
    "contest": "Итоги конкурса определяют права участников и утверждаются комиссией или должностным лицом.",
}
_APPROVE = r"утвержд(?:ает|ают|ение|ения|ению|ать)"

# Order matters only on a tie (two rules matching at the same position): specific before generic.
# Stems are matched in lower-cased text, so one stem covers the verb and its action noun.
RULES: tuple[Rule, ...] = (
    _rule("R01", _OTHER, "частично", "средний", _WHY["other"], r"\bин(?:ые|ых) (?:полномочи|функци)"),
    _rule("R02", _CONTROL, "нет", "высокий", _WHY["sanction"],
          r"привлечени\w* (?:лиц\w* )?.{0,120}?к (?:\w+ )?ответственности", r"привлечени\w* к",
          r"приним\w* мер\w* по привлечению", r"внесени\w* предложений по запрещению",
          r"протокол\w* об административн", r"выдач\w* предписани", r"\bтребу(?:ет|ют) от\b",
          r"предложений по запрещению"),
    _rule("R03", _CONTROL, "нет", "высокий", _WHY["rights"],
          r"(?:приним\w* меры,? направленные на )?восстановлени\w* нарушенных прав"),
    _rule("R04", _OTHER, "нет", "высокий", _WHY["court"],
          r"предъявлени\w* (?:в суд\w* )?иск", r"иск\w* в суд"),
    _rule("R05", _OTHER, "нет", "высокий", _WHY["shares"], r"пакет\w* акций"),
    _rule("R06", _PERMITS, "нет", "высокий", _WHY["permit"],
          r"лицензирован", r"выдач\w* (?:лицензи|разрешени)", r"выда(?:ет|ют) (?:лицензи|разрешени)",
          r"аккредитаци(?!и журналист)", r"согласовани\w* деятельности", r"согласовыва\w* интеграци",
          r"разрешени\w* на"),
    _rule("R07", _NORM, "нет", "высокий", _WHY["policy"],
          r"(?:формир|выработ|разраб)\w* (?:и реализ\w* )?(?:основн\w* направлени\w* )?"
          r"(?:государственн\w* )?(?:\w+ )?политик",
          r"на основе и во исполнение"),
    _rule("R08", _ORG, "нет", "высокий", _WHY["staff"],
          r"(?:утвержд\w*|определени\w*|определя\w*) (?:персональн\w* )?состав"),
    _rule("R09", _NORM, "нет", "высокий", _WHY["norm"], _APPROVE),
    _rule("R10", _NORM, "нет", "высокий", _WHY["norm"],
          r"(?:разраб|определ|согласов|внесени|внос|выработ)\w*(?: и \w+)?(?:,? \w+)*? "
          r"(?:правил|поряд|методик|проверочн|критери|нормативн|положени|стандарт|требовани|перечн|план|"
          r"проект|предложени|рекомендаци|размер|количеств|форм\w* отчет|инструкци|технических параметр|"
          r"квалификационн|стратегическ|подзаконн)"),
    _rule("R11", _CONTROL, "частично", "средний", _WHY["check"], r"проверк\w* сведений"),
    _rule("R12", _CONTROL, "частично", "средний", _WHY["check"], r"рассмотрени\w* отчет"),
    _rule("R13", _CONTROL, "нет", "высокий", _WHY["control"],
          r"контрол", r"надзор", r"проверк", r"обследовани", r"экспертиз",
          r"обеспечени\w* проведени\w* \w+ экспертиз", r"обеспеч\w* (?:соблюдени|исполнени)"),
    _rule("R14", _INFO, "частично", "средний", _WHY["explain"],
          r"разъяснительн", r"пропагандистск", r"разъяснени", r"брифинг",
          r"организаци\w* и осуществлени\w* информационн", r"обеспечени\w* осуществлени\w* информационн"),
    _rule("R15", _INFO, "да", "низкий", _WHY["publish"],
          r"размещ\w* (?:на \w+ )?(?:информаци|\w+ отчет|на интернет)", r"размещ\w* на", r"публикац",
          r"публику", r"сбор\w*(?: и \w+)? (?:\w+ )?(?:сведени|информаци|данн)", r"собира", r"обобща",
          r"опубликова", r"предоставлени\w* информаци", r"предоставля\w* информаци", r"запрашива",
          r"направля\w* (?:\w+ ){0,6}информаци", r"получать (?:\w+ ){0,6}сведени", r"свод\w* и обобщени",
          r"информировани", r"информированност", r"доступност\w* (?:подзаконн|нормативн)",
          r"обеспечива\w* (?:информированност|доступност|предоставлени\w* информаци)"),
    _rule("R16", _INFO, "частично", "средний", _WHY["analysis"],
          r"анализ", r"прогнозировани", r"изучени", r"исследовани", r"обеспечени\w* проведени\w* исследовани",
          r"оценк\w* (?!результат)", r"\bотчет", r"доклад", r"потребност\w* в кадрах"),
    _rule("R17", _RECORDS, "частично", "средний", _WHY["enrol"], r"постановк\w* на учет", r"переучет"),
    _rule("R18", _RECORDS, "частично", "средний", _WHY["monitor"], r"мониторинг"),
    _rule("R19", _RECORDS, "да", "низкий", _WHY["records"],
          r"веден\w* (?:\w+ )?(?:реестр|учет|баз)", r"вед(?:ет|ут) (?:\w+ )?(?:реестр|учет|баз)", r"реестр",
          r"\bучет", r"баз\w* данных", r"архив", r"регистраци", r"регистрир"),
    _rule("R20", _SERV, "нет", "высокий", _WHY["grants"],
          r"предоставлени\w* (?:государственн\w* )?грант", r"присуждени\w* преми"),
    _rule("R21", _SERV, "частично", "средний", _WHY["appeals"],
          r"оказ\w*(?:,? [\w-]+){0,8},? (?:помощ|поддержк)", r"ответ\w* на (?:запрос|обращени)",
          r"консультир", r"рассм\w* обращени", r"рассматрива\w* обращени"),
    _rule("R22", _ORG, "нет", "высокий", _WHY["intl"],
          r"международн\w* сотрудничеств", r"международн\w* договор"),
    _rule("R23", _ORG, "да", "низкий", _WHY["eres"],
          r"(?:создани\w* и обеспечени\w* )?функционировани\w* электронн\w* информационн"),
    _rule("R24", _ORG, "да", "средний", _WHY["access"],
          r"доступ\w* (?:\w+ ){0,3}к информационн\w* систем"),
    _rule("R25", _ORG, "частично", "средний", _WHY["org"],
          r"координ", r"взаимодейств", r"руководств", r"реализаци", r"реализу", r"содействи", r"участи",
          r"реинжиниринг", r"образовани\w* общественн", r"представительств", r"организу", r"созда",
          r"организаци(?:ю|я) (?:и|работ|проведени)"),
    _rule("R25", _ORG, "частично", "средний", _WHY["org"],
          r"обеспеч", r"организ", r"\bмер[ыа]?\b", r"рассмотрени", r"размещени", r"формировани",
          r"методическ", weak=True),
)

FALLBACK = Rule("R00", _OTHER, "частично", "средний", re.compile(r"$^"), _WHY["none"])

# An override turns «да»/«частично» into «нет»/«высокий» wherever its words appear in the text.
OVERRIDES: tuple[Rule, ...] = (
    _rule("O1", "", "нет", "высокий", _WHY["approve"], _APPROVE, r"определя(?:ет|ют) порядок"),
    _rule("O2", "", "нет", "высокий", _WHY["decide"],
          r"приняти\w* решени", r"соответствии содержания персональных"),
    _rule("O3", "", "нет", "высокий", _WHY["control"],
          r"(?:осуществлени|проведени|организаци)\w* (?:и )?контрол"),
    _rule("O4", "", "нет", "высокий", _WHY["liable"], r"\bиск(?:а|ов|и|ом|ам|ами|ах)?\b", r"ответственност"),
    _rule("O5", "", "нет", "высокий", _WHY["treaty"], r"международн\w* договор", r"меморандум"),
    _rule("O6", "", "нет", "высокий", _WHY["security"],
          r"национальн\w* безопасност", r"терроризм", r"экстремизм", r"мобилизац", r"гражданск\w* защит",
          r"государственн\w* секрет"),
    _rule("O7", "", "нет", "высокий", _WHY["control"], r"экспертиз"),
    _rule("O8", "", "нет", "высокий", _WHY["contest"], r"конкурс\w* по (?:формировани|распределени)"),
)
# fmt: on


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
    best: tuple[bool, int, int, Rule, str] | None = None
    for order, rule in enumerate(RULES):
        m = rule.pattern.search(low)
        if m and (best is None or (rule.weak, m.start(), order) < best[:3]):
            best = (rule.weak, m.start(), order, rule, m.group(0))
    rule, trigger = (best[3], best[4]) if best else (FALLBACK, "")
    labels = (rule.category, rule.automatable, rule.risk)
    result = RubricResult(rule.id, *labels, rule.rationale, trigger.strip())
    if rule.automatable == "нет":
        return result
    for override in OVERRIDES:
        m = override.pattern.search(low)
        if m:
            why = {"rationale": override.rationale, "override_id": override.id}
            return replace(result, automatable=override.automatable, risk=override.risk, **why,
                           override_trigger=m.group(0).strip())  # fmt: skip
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
        labels = f"{self.category} / {self.automatable} / {self.risk}"
        return f"{self.function_id} ({self.similarity:.2f}: {labels})"


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
            "rubric": asdict(self.rubric),
            "neighbours": [asdict(n) for n in self.neighbours],
            "neighbour_vote": self.neighbour_vote,
            "agrees_with_neighbours": self.agrees_with_neighbours,
        }


def is_assessed(row: Mapping[str, Any]) -> bool:
    return (
        bool(str(row.get("category") or "").strip())
        and str(row.get("automatable") or "").strip().lower() in AUTOMATABLE
        and str(row.get("automation_risk") or "").strip().lower() in RISKS
    )


def _same_row(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    def key(row: Mapping[str, Any], name: str) -> str:
        return str(row.get(name) or "").strip()

    if key(a, "function_id") or key(b, "function_id"):
        return key(a, "function_id") == key(b, "function_id")
    return all(key(a, n) == key(b, n) for n in ("agency", "function_text"))


def _vote(neighbours: Sequence[Neighbour], attr: str) -> str:
    weights: dict[str, float] = {}
    for n in neighbours:
        weights[getattr(n, attr)] = weights.get(getattr(n, attr), 0.0) + n.similarity
    return max(weights.items(), key=lambda kv: kv[1])[0] if weights else ""


class Assessor:
    """Proposes labels for function texts against a reference set of human-assessed rows."""

    def __init__(self, reference: Sequence[Mapping[str, Any]], analyzer: Analyzer, k: int = 5) -> None:
        usable = (r for r in reference if str(r.get("function_text") or "").strip())
        self.reference = [r for r in usable if is_assessed(r)]
        self.k = k
        self._vectorizer = LemmaVectorizer(analyzer)
        texts = [str(r["function_text"]) for r in self.reference]
        self._matrix = self._vectorizer.fit_transform(texts) if texts else np.zeros((0, 0))

    def neighbours(self, text: str, exclude: Mapping[str, Any] | None = None) -> list[Neighbour]:
        """The k most similar assessed rows; `exclude` is the row being assessed itself (matched
        by function_id, or by agency + text when it has no id)."""
        if not self.reference:
            return []
        sims = self._matrix @ self._vectorizer.transform([text])[0]
        out: list[Neighbour] = []
        for i in np.argsort(-sims, kind="stable"):
            row = self.reference[int(i)]
            if exclude is not None and _same_row(row, exclude):
                continue
            if sims[i] < MIN_NEIGHBOUR_SIMILARITY or len(out) >= self.k:
                break
            out.append(
                Neighbour(
                    str(row.get("function_id", "")),
                    round(float(sims[i]), 3),
                    str(row.get("agency", "")),
                    str(row["function_text"]),
                    str(row["category"]),
                    str(row["automatable"]).lower(),
                    str(row["automation_risk"]).lower(),
                )
            )
        return out

    def propose(self, text: str, exclude: Mapping[str, Any] | None = None) -> Proposal:
        rubric = apply_rubric(text)
        near = self.neighbours(text, exclude)
        vote = {a: _vote(near, a) for a in ("category", "automatable", "risk")} if near else {}
        proposal = Proposal(text, rubric.category, rubric.automatable, rubric.risk, "", rubric, near, vote)
        # The rubric decides whenever one of its rules fired; the neighbours decide only for a
        # wording the rubric does not know, and then only if they really resemble the text.
        voted = (vote.get("category", ""), vote.get("automatable", ""), vote.get("risk", ""))
        if rubric.rule_id == FALLBACK.id and near and near[0].similarity >= 0.35:
            proposal.category, proposal.automatable, proposal.risk = voted
            proposal.source = "neighbours"
        if vote:
            proposal.agrees_with_neighbours = (
                proposal.category,
                proposal.automatable,
                proposal.risk,
            ) == voted
        proposal.rationale = _rationale(proposal)
        return proposal

    def bulk(self, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Every row with the proposal columns appended; the row's own columns, including any
        human assessment, are copied unchanged."""
        out = []
        for row in rows:
            text = str(row.get("function_text") or "")
            p = self.propose(text, exclude=row)
            near = "; ".join(n.short() for n in p.neighbours)
            values = (p.category, p.automatable, p.risk, p.rationale, near)
            out.append({**row, **dict(zip(PROPOSAL_COLUMNS, values, strict=True))})
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
