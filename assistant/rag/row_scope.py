"""What a registry row's function leaves out. «… утверждение нормативных правовых актов об
утверждении квалификационных требований …, за исключением квалификационных требований … к
лицензируемым видам деятельности в сфере игорного бизнеса» shares «лицензируемым», «игорного
бизнеса» with «Какой орган выдаёт лицензию на игорный бизнес?» — in the clause that says the row
does not cover it. Naming that row as the performer states the opposite of its own text, as
quoting a rule without the point that lifts it would (`quote_context.exceptions_to`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.rag.features import named_weight

if TYPE_CHECKING:
    from assistant.domain import Chunk
    from assistant.rag.features import QuestionTerms
    from assistant.rag.knowledge import VersionKnowledge

# the clause that takes something out of a function, up to the next comma: «проводит анализ
# данных, за исключением информации с ограниченным доступом, содержащихся в объектах …» leaves
# out restricted information only; what follows the comma is the function again
_EXCEPT = re.compile(r"\b(?:за исключением|кроме)\b([^,;]*)", re.I)


def asks_what_it_excludes(q: QuestionTerms, row: Chunk, kb: VersionKnowledge) -> bool:
    """Do the question's words that the row holds weigh more in the row's exception clause than
    in the rest of its function? IDF-weighted, as `features.named_share` reads a row."""
    text = str(row.registry.get("function_text", ""))
    found = _EXCEPT.search(text)
    if found is None:
        return False
    main = set(kb.analyzer.terms(text[: found.start()] + " " + text[found.end() :], "ru"))
    excluded = set(kb.analyzer.terms(found.group(1), "ru")) - main
    return named_weight(q, excluded, kb) > named_weight(q, main, kb)
