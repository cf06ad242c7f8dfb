"""Registry answers composed from the rows themselves: exact agency, status, risk and legal
basis, each cited — no model needed, so they are instant and cannot be hallucinated."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from assistant.domain import Answer, Chunk, Citation, Lang
from assistant.rag.quoting import act_citation, basis_quote

if TYPE_CHECKING:
    from assistant.rag.understand import Understanding

LIST_SHOWN = 15


def ru_plural(n: int, forms: tuple[str, str, str]) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return forms[0]
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return forms[1]
    return forms[2]


def row_citation(n: int, row: Chunk) -> Citation:
    r = row.registry
    return Citation(
        n=n,
        citation=row.citation,
        kind="registry",
        title=f"{r.get('function_id')}: {r.get('function_text')}",
        quote=row.text,
        act_title=row.act_title,
        lang="ru",
        version_date=r.get("updated_on", ""),
        repealed=row.repealed,
        status=row.status,
    )


def status_line(row: Chunk, lang: Lang) -> str:
    r = row.registry
    if lang == "kk":
        return f"автоматтандыру: {r.get('automatable')}, тәуекел: {r.get('automation_risk')}"
    return f"автоматизируемая: {r.get('automatable')}, риск: {r.get('automation_risk')}"


def who(rows: list[Chunk], lang: Lang) -> str:
    agencies = list(dict.fromkeys(r.registry.get("agency", "") for r in rows))
    texts = {r.registry.get("function_text", "") for r in rows}
    if len(rows) == 1 or (len(agencies) == 1 and len(texts) == 1):
        row = rows[0]
        r = row.registry
        refs = "".join(f"[{i}]" for i in range(1, len(rows) + 1))
        if lang == "kk":
            return f"Тізілім бойынша бұл функцияны атқаратын орган: {r.get('agency')} — «{r.get('function_text')}» {refs}."
        return f"По реестру эту функцию выполняет: {r.get('agency')} — «{r.get('function_text')}» {refs}."
    several = len(agencies) > 1
    if lang == "kk":
        head = "Тізілімде бірнеше лайықты жазба бар" + (
            ", функция әртүрлі органдарға бекітілген:" if several else ":"
        )
    else:
        head = "В реестре несколько подходящих записей" + (
            " — функция закреплена за разными органами:" if several else ":"
        )
    return "\n".join([head, *(_row_line(r, i) for i, r in enumerate(rows, 1))])


def _row_line(row: Chunk, n: int) -> str:
    return f"- {row.registry.get('agency')}: «{row.registry.get('function_text')}» [{n}]"


def with_nearest_rows(answer: Answer, rows: list[Chunk], lang: Lang, quotes_header: str) -> Answer:
    """A law answer followed by the registry rows nearest to the question (before the quotes),
    cited after the articles. They are shown as the nearest entries, not as the performer: the
    law, not a row, was taken for the answer."""
    start = len(answer.citations) + 1
    head = "Тізілімнің ең жақын жазбалары:" if lang == "kk" else "Ближайшие записи реестра:"
    line = "\n".join([head, *(_row_line(r, i) for i, r in enumerate(rows, start))])
    marker = f"\n\n{quotes_header}"
    text = answer.answer
    answer.answer = text.replace(marker, f"\n\n{line}{marker}", 1) if marker in text else f"{text}\n\n{line}"
    answer.citations = [*answer.citations, *(row_citation(start + i, r) for i, r in enumerate(rows))]
    return answer


def status(rows: list[Chunk], lang: Lang) -> str:
    parts = []
    for i, row in enumerate(rows, 1):
        r = row.registry
        if lang == "kk":
            parts.append(
                f"«{r.get('function_text')}» функциясы ({r.get('agency')}) тізілімде былай белгіленген: "
                f"{status_line(row, lang)} [{i}]. Негіздеме: {r.get('automation_rationale')}"
            )
        else:
            parts.append(
                f"Функция «{r.get('function_text')}» ({r.get('agency')}) отмечена в реестре так: "
                f"{status_line(row, lang)} [{i}]. Обоснование: {r.get('automation_rationale')}"
            )
    return "\n".join(parts)


def short_basis(basis: str) -> str:
    """Legal basis without the approval/repeal parenthetical (shown once, as a warning)."""
    return re.sub(r"\s*\([^()]*(утв\.|утратил)[^()]*\)", "", basis).strip()


def legal_basis(rows: list[Chunk], article_n: dict[str, int], lang: Lang) -> str:
    bases: dict[str, str] = {}
    for row in rows:
        basis = short_basis(row.registry.get("legal_basis", ""))
        n = article_n.get(row.registry.get("citation", ""))
        if basis and basis not in bases:
            bases[basis] = basis + (f" [{n}]" if n else "")
    if not bases:
        return ""
    return ("Құқықтық негіз: " if lang == "kk" else "Правовое основание: ") + "; ".join(bases.values()) + "."


def listing(rows: list[Chunk], total: int, description: str, lang: Lang) -> str:
    if lang == "kk":
        head = f"Тізілімде {description}: {total} функция."
        more = f"…және тағы {total - len(rows)} (толық тізім — талдау бетінде немесе `kenes analytics`)."
    else:
        head = f"В реестре {description}: {total} {ru_plural(total, ('функция', 'функции', 'функций'))}."
        more = f"…и ещё {total - len(rows)} (полный список — на странице аналитики или `kenes analytics`)."
    lines = [head]
    lines += [
        f"{i}. «{r.registry.get('function_text')}» — {r.registry.get('agency')}; {status_line(r, lang)} [{i}]"
        for i, r in enumerate(rows, 1)
    ]
    if total > len(rows):
        lines.append(more)
    return "\n".join(lines)


def single(u: Understanding, rows: list[Chunk], kb: Any, law_articles: list[Chunk]) -> Answer:
    """A «who / is it automatable» answer from `rows`, the best row and those nearly as good (one
    function, several agencies), each with the article it rests on; `law_articles` follow."""
    citations = [row_citation(i, r) for i, r in enumerate(rows, 1)]
    article_n: dict[str, int] = {}
    kk_quotes: list[str] = []
    for row in rows:
        basis = row.registry.get("citation", "")
        if basis and basis not in article_n:
            article = kb.article_any(basis, u.lang)
            if article is None:
                continue
            n = len(citations) + 1
            article_n[basis] = n
            quote = basis_quote(article, row, kb)
            citations.append(act_citation(n, article, quote))
            if u.lang == "kk" and article.lang == "kk":
                # the registry speaks Russian; the law behind the row is shown in Kazakh
                kk_quotes.append(f"{article.title}: «{quote}» [{n}]")
    body = status(rows, u.lang) if u.intent == "registry_status" else who(rows, u.lang)
    basis_line = legal_basis(rows, article_n, u.lang)
    text = "\n".join(part for part in (body, basis_line, *kk_quotes) if part)
    for extra in law_articles:
        if extra.citation not in article_n:
            n = len(citations) + 1
            citations.append(act_citation(n, extra, extra.text[:400]))
    return Answer(question=u.question, answer=text, lang=u.lang, mode="registry", citations=citations)
