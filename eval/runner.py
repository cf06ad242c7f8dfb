"""Runs an eval set through the `Assistant` facade and writes a run folder.

Each item is appended to results.jsonl as soon as it is scored, so a crash or Ctrl-C loses at
most one item and a re-run resumes where it stopped.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from assistant.errors import ConfigError, KenesError, LLMUnavailable
from eval.datasets import EvalItem
from eval.metrics import score_item
from eval.report import Summary, build_summary, load_results, write_report

if TYPE_CHECKING:
    from assistant.domain import Answer
    from assistant.facade import Assistant
    from assistant.llm.base import LLM
    from assistant.settings import Settings

log = logging.getLogger(__name__)

RESULTS = "results.jsonl"
CONFIG = "config.json"
_SECRET_KEY = re.compile(r"key|token|secret|password", re.IGNORECASE)
# Registry columns whose Russian values may legitimately appear inside a Kazakh answer.
_REGISTRY_VALUES = ("agency", "function_text", "automatable", "automation_risk", "category", "legal_basis")


def scrub(data: Any) -> Any:
    """Drop every key that looks like a credential; run folders get shared and committed."""
    if isinstance(data, Mapping):
        return {k: scrub(v) for k, v in data.items() if not _SECRET_KEY.search(str(k))}
    if isinstance(data, list):
        return [scrub(v) for v in data]
    return data


def settings_dump(settings: Settings) -> dict[str, Any]:
    return dict(scrub(settings.model_dump(mode="json")))


# -- LLM-as-judge -------------------------------------------------------------------------------
JUDGE_SYSTEM = "You are a strict fact checker. You compare an answer with its sources."
_YES = {"yes", "да", "иә", "ия"}
_NO = {"no", "нет", "жоқ"}


def judge_messages(question: str, answer: Answer) -> list[Any]:
    from assistant.llm.base import ChatMessage

    # Sources are labelled "Source n", not "[n]": the fake LLM echoes a "[1]" source, which would
    # read as a verdict-less reply instead of an honest "cannot tell".
    sources = "\n".join(f"Source {c.n} ({c.citation}): {c.quote}" for c in answer.citations)
    user = (
        f"Sources:\n{sources}\n\nQuestion: {question}\nAnswer: {answer.answer}\n\n"
        "Is every claim in the answer supported by the sources? answer yes/no"
    )
    return [ChatMessage("system", JUDGE_SYSTEM), ChatMessage("user", user)]


def parse_verdict(reply: str) -> bool | None:
    words = re.findall(r"[^\W\d_]+", reply.lower())
    if not words:
        return None
    if words[0] in _YES:
        return True
    if words[0] in _NO:
        return False
    return None


class EvalRunner:
    def __init__(
        self,
        assistant: Assistant,
        out_dir: Path | str,
        *,
        top_k: int = 10,
        progress: bool = True,
        datasets: Sequence[str] = (),
        judge_llm: LLM | None = None,
    ) -> None:
        self.assistant = assistant
        self.out_dir = Path(out_dir)
        self.top_k = top_k
        self.progress = progress
        self.datasets = list(datasets)
        self.judge_llm = judge_llm
        self._rows: dict[str, dict[str, str] | None] = {}
        self._judge_failed = False

    @property
    def results_path(self) -> Path:
        return self.out_dir / RESULTS

    # -- the run --------------------------------------------------------------------------
    def run(self, items: Sequence[EvalItem], fresh: bool = False, judge: bool = False) -> Summary:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        started = datetime.now(UTC).isoformat(timespec="seconds")
        config = {
            "index_version": self.assistant.index_version(),
            "settings": settings_dump(self.assistant.settings),
            # a refit writes new rankers where the settings still point: the same settings
            # and index then answer differently
            "learned": self.assistant.learned_models(),
            "judge": judge,
        }
        if fresh:
            self.results_path.unlink(missing_ok=True)
        else:
            self._check_same_config(config)
        (self.out_dir / CONFIG).write_text(json.dumps(config, ensure_ascii=False, indent=2), encoding="utf-8")
        todo = self._resume(items)
        llm = self._judge_llm() if judge else None
        bar = tqdm(todo, desc="eval", unit="q", file=sys.stderr, disable=not self.progress)
        with self.results_path.open("a", encoding="utf-8") as out:
            for item in bar:
                record = self.evaluate(item, llm)
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                out.flush()
                if record["error"]:
                    bar.write(f"{item.id}: {record['error']}", file=sys.stderr)
        results = load_results(self.results_path)
        run_info = {
            "name": self.out_dir.name, "started": started,
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "datasets": self.datasets or sorted({str(r.get("dataset", "")) for r in results} - {""}),
            "index_version": config["index_version"],
            "judge": judge and llm is not None and not self._judge_failed, "config": config["settings"],
            "learned": config["learned"],
        }  # fmt: skip
        summary = build_summary(results, run_info)
        write_report(self.out_dir, summary, results)
        return summary

    def _check_same_config(self, config: dict[str, Any]) -> None:
        path = self.out_dir / CONFIG
        if not self.results_path.exists() or not path.exists():
            return
        old = json.loads(path.read_text(encoding="utf-8"))
        checks = (
            ("index_version", "a different index version"),
            ("settings", "different settings"),
            ("learned", "other learned rankers"),
        )
        for key, what in checks:
            if old.get(key, {}) != config[key]:
                # Mixing answers from two indexes or configs would make the summary meaningless.
                raise ConfigError(
                    f"{self.out_dir} holds results made with {what}; "
                    "re-run with --fresh or choose another --out folder."
                )

    def _resume(self, items: Sequence[EvalItem]) -> list[EvalItem]:
        """Keep finished results; re-run items that failed or whose question changed."""
        if not self.results_path.exists():
            return list(items)
        wanted = {i.id: i.question for i in items}
        kept = [
            r for r in load_results(self.results_path)
            if not (r["id"] in wanted and (r.get("error") or r.get("question") != wanted[r["id"]]))
        ]  # fmt: skip
        tmp = self.results_path.with_suffix(".tmp")
        tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept), encoding="utf-8")
        tmp.replace(self.results_path)
        done = {r["id"] for r in kept}
        return [i for i in items if i.id not in done]

    # -- one item ---------------------------------------------------------------------------
    def evaluate(self, item: EvalItem, judge_llm: LLM | None = None) -> dict[str, Any]:
        errors: list[str] = []
        timings: dict[str, float] = {}
        retrieved: list[str] | None = None
        answer: Answer | None = None
        try:
            result = self.assistant.search(item.question, top_k=self.top_k, history=item.history or None)
            retrieved = [h.chunk.citation for h in result.hits]
            timings["search_ms"] = float(result.timings.get("total_ms", 0.0))
        except Exception as exc:  # one broken item must not stop a long run
            errors.append(f"search: {type(exc).__name__}: {exc}")
        try:
            t0 = time.perf_counter()
            answer = self.assistant.ask(item.question, item.history or None, lang=item.lang)
            timings["wall_ms"] = (time.perf_counter() - t0) * 1000
            timings.update({k: float(v) for k, v in answer.timings.items()})
            timings.setdefault("total_ms", timings["wall_ms"])
        except Exception as exc:
            errors.append(f"ask: {type(exc).__name__}: {exc}")
        record: dict[str, Any] = {
            "id": item.id, "dataset": item.dataset, "kind": item.kind, "lang": item.lang,
            "question": item.question, "answerable": item.answerable, "gold_citations": item.gold_ids,
            "must_contain_any": item.must_contain_any, "retrieved": retrieved,
        }  # fmt: skip
        try:
            record.update(self._score(item, retrieved, answer, judge_llm))
        except Exception as exc:
            errors.append(f"scoring: {type(exc).__name__}: {exc}")
            record.setdefault("metrics", score_item(item, retrieved=retrieved))
        record.setdefault("answer", answer.answer if answer else None)
        record["timings"] = {k: round(v, 2) for k, v in timings.items()}
        record["error"] = "; ".join(errors) or None
        return record

    def _score(
        self, item: EvalItem, retrieved: list[str] | None, answer: Answer | None, judge_llm: LLM | None
    ) -> dict[str, Any]:
        if answer is None:
            return {"metrics": score_item(item, retrieved=retrieved)}
        cited = [c.citation for c in answer.citations]
        gold_rows = [g for g in item.gold_citations if g.startswith("registry:")]
        gold_row_articles = [a for g in gold_rows if (a := (self._row(g) or {}).get("citation"))]
        cited_rows = {c: row for c in cited if c.startswith("registry:") and (row := self._row(c))}
        agencies = {c: row.get("agency", "") for c, row in cited_rows.items()}
        foreign = [v for row in cited_rows.values() for k in _REGISTRY_VALUES if (v := row.get(k, ""))]
        metrics = score_item(
            item, retrieved=retrieved, answer=answer.answer, refused=answer.refused, cited=cited,
            gold_row_articles=gold_row_articles, row_agencies=agencies, foreign=foreign,
        )  # fmt: skip
        metrics["faithfulness"] = self._judge(judge_llm, item, answer) if judge_llm else None
        return {
            "answer": answer.answer, "answer_lang": answer.lang, "refused": answer.refused,
            "mode": answer.mode,
            "citations": [
                {"n": c.n, "citation": c.citation, "kind": c.kind, "title": c.title, "quote": c.quote}
                for c in answer.citations
            ],
            "answer_retrieved": answer.retrieved, "notice": answer.notice, "model": answer.model,
            "index_version": answer.index_version, "metrics": metrics,
            "support": {"gold_row_articles": gold_row_articles, "row_agencies": agencies},
        }  # fmt: skip

    def _row(self, citation: str) -> dict[str, str] | None:
        """The registry columns of a row (cached): which article it rests on, its agency."""
        if citation not in self._rows:
            try:
                self._rows[citation] = dict(self.assistant.source(citation).registry) or None
            except KenesError:
                self._rows[citation] = None
        return self._rows[citation]

    # -- judge ------------------------------------------------------------------------------
    def _judge_llm(self) -> LLM | None:
        if self.judge_llm is not None:
            return self.judge_llm
        try:
            from assistant.llm.factory import build_llm

            llm = build_llm(self.assistant.settings)
            if not llm.healthy():
                raise LLMUnavailable(f"{llm.name} is not healthy")
        except (KenesError, OSError) as exc:
            log.warning("judge skipped: the LLM is unavailable (%s)", exc)
            print(f"warning: --judge skipped, the LLM is unavailable: {exc}", file=sys.stderr)
            return None
        self.judge_llm = llm
        return llm

    def _judge(self, llm: LLM, item: EvalItem, answer: Answer) -> bool | None:
        if self._judge_failed or answer.refused or not answer.citations:
            return None
        try:
            reply = llm.complete(judge_messages(item.question, answer), max_tokens=8, temperature=0.0)
        except LLMUnavailable as exc:
            # Said once, not per item: the rest of the run goes on without faithfulness.
            self._judge_failed = True
            print(f"warning: judge stopped, the LLM became unavailable: {exc}", file=sys.stderr)
            return None
        return parse_verdict(reply)
