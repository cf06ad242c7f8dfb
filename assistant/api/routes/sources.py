"""Source views: the whole cited article or registry row behind a citation id."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.api.deps import CurrentUser, State
from assistant.api.schemas import SourceOut
from assistant.api.state import ApiState
from assistant.domain import Lang
from assistant.errors import KenesError

router = APIRouter(prefix="/api", tags=["sources"])


@router.get("/sources/{citation:path}", response_model=SourceOut)
def source(citation: str, principal: CurrentUser, state: State, lang: Lang = "ru") -> SourceOut:
    """`citation` as in answers (`public-services#st8`, `registry:PS-08-03`); URL-encode `#` as %23.
    A registry row's `source_url` is that of the act behind its legal basis (empty if unknown)."""
    out = SourceOut.of(state.assistant.source(citation, lang))
    if out.kind == "registry" and not out.source_url:
        out.source_url = _act_url(state, out.registry.get("citation", ""), lang)
    return out


def _act_url(state: ApiState, act_citation: str, lang: Lang) -> str:
    """The official text of the article a registry row rests on: its chunk carries the act's
    `source_url` from meta.yaml. Unknown article or act without a URL: no link at all."""
    if not act_citation or act_citation.startswith("registry:"):
        return ""
    try:
        url = state.assistant.source(act_citation, lang).source_url
    except KenesError:
        return ""
    return url if url.startswith(("http://", "https://")) else ""
