"""Source views: the whole cited article or registry row behind a citation id."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from assistant.api.deps import CurrentUser, State
from assistant.api.schemas import SourceOut

router = APIRouter(prefix="/api", tags=["sources"])


@router.get("/sources/{citation:path}", response_model=SourceOut)
def source(
    citation: str, principal: CurrentUser, state: State, lang: Literal["ru", "kk"] = "ru"
) -> SourceOut:
    """`citation` as in answers (`public-services#st8`, `registry:PS-08-03`); URL-encode `#` as %23."""
    return SourceOut.of(state.assistant.source(citation, lang))
