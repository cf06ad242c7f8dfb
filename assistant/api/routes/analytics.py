"""Registry analytics for analysts and admins: counts, charts, groups of similar functions,
positions, exports and the assessment assistant. The page itself is `/analytics`.

Everything is computed from the registry rows of the live index version and kept per version,
so the page is fast after the first request and follows a re-index or a rollback."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Cookie, Depends, Query
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from assistant.analytics.export import MEDIA_TYPES
from assistant.analytics.groups import DEFAULT_THRESHOLD
from assistant.analytics.service import DISCLAIMER, VIEWS, AnalyticsService
from assistant.api.deps import SESSION_COOKIE, CurrentUser, Principal, State
from assistant.api.errors import Forbidden
from assistant.db import sessions
from assistant.errors import ValidationProblem

if TYPE_CHECKING:
    pass

router = APIRouter(tags=["analytics"])

MSG_ANALYST_ONLY = (
    "Доступно только аналитикам и администраторам. / Тек талдаушылар мен әкімшілерге қолжетімді."
)
ANALYST_ROLES = ("analyst", "admin")
PAGE = Path(__file__).resolve().parents[1] / "static" / "analytics.html"

By = Literal["agency", "category", "act"]
# "" is what an empty <select> sends: it means "no filter", not a bad value.
AutomatableQ = Annotated[str | None, Query(description="да | частично | нет")]
RiskQ = Annotated[str | None, Query(description="низкий | средний | высокий")]


def require_analyst(principal: CurrentUser) -> Principal:
    """Analysts and admins with their own token (not relayed by the bot)."""
    if principal.role not in ANALYST_ROLES or principal.acting_service is not None:
        raise Forbidden(MSG_ANALYST_ONLY)
    return principal


Analyst = Annotated[Principal, Depends(require_analyst)]


class AssessRequest(BaseModel):
    function_text: str = Field(min_length=1, max_length=4000, description="a new or unassessed function text")


def _service(state: State) -> AnalyticsService:
    return AnalyticsService.from_container(state.container)


Service = Annotated[AnalyticsService, Depends(_service)]


def _filters(automatable: str | None, risk: str | None) -> tuple[str | None, str | None]:
    return (automatable or "").strip().lower() or None, (risk or "").strip().lower() or None


@router.get("/analytics", include_in_schema=False, response_model=None)
def page(state: State, session: Annotated[str | None, Cookie(alias=SESSION_COOKIE)] = None) -> Response:
    """The analyst page (static; it signs in and calls the API below). A signed-in plain user
    is sent back to the chat: the API refuses them anyway, an empty page would only confuse."""
    user = sessions.session_user(state.db, session) if session else None
    # the answer depends on who asks: never from a cache
    headers = {"Cache-Control": "no-store"}
    if user is not None and user.role not in ANALYST_ROLES:
        return RedirectResponse("/", status_code=303, headers=headers)
    return FileResponse(PAGE, headers=headers)


@router.get("/api/analytics/summary")
def summary(
    analyst: Analyst,
    service: Service,
    by: By = "agency",
    automatable: AutomatableQ = None,
    risk: RiskQ = None,
) -> dict[str, Any]:
    """Counts and shares by agency/category/act × automatable × risk, with totals, and the
    category × risk matrix."""
    aut, rsk = _filters(automatable, risk)
    return {
        "source": service.source,
        "rows": len(service.rows),
        "summary": service.summary(by, aut, rsk).to_dict(),
        "category_risk": service.heat(aut, rsk).to_dict(),
        "disclaimer": DISCLAIMER,
    }


@router.get("/api/analytics/breakdown")
def breakdown(
    analyst: Analyst, service: Service, automatable: AutomatableQ = None, risk: RiskQ = None
) -> dict[str, Any]:
    """The full cross agency × category × automatable × risk (non-empty cells)."""
    aut, rsk = _filters(automatable, risk)
    return {"breakdown": [b.__dict__ for b in service.breakdown(aut, rsk)]}


@router.get("/api/analytics/groups")
def groups(
    analyst: Analyst,
    service: Service,
    threshold: Annotated[float, Query(ge=0.05, le=0.95)] = DEFAULT_THRESHOLD,
    min_size: Annotated[int, Query(ge=2, le=1000)] = 2,
    min_agencies: Annotated[int, Query(ge=1, le=1000)] = 1,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> dict[str, Any]:
    """Groups of the same kind of work across agencies, sorted by size × share automatable."""
    found = service.groups(threshold, min_size, min_agencies)
    return {
        "count": len(found),
        "threshold": threshold,
        "covered": sum(g.size for g in found),
        "rows": len(service.rows),
        "groups": [g.to_dict() for g in found[:limit]],
    }


@router.get("/api/analytics/positions")
def positions(analyst: Analyst, service: Service) -> dict[str, Any]:
    """Per position: its functions by automatable status and risk (or what data is needed)."""
    return service.positions().to_dict()


@router.get(
    "/api/analytics/chart/{name}.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
def chart(
    name: str, analyst: Analyst, service: Service, by: By = "agency", automatable: AutomatableQ = None,
    risk: RiskQ = None,
) -> Response:  # fmt: skip
    """`automatable` / `risk`: stacked bars per agency (or `by`); `heatmap`: category × risk."""
    aut, rsk = _filters(automatable, risk)
    png = service.chart(name, by, aut, rsk)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=60"})


@router.get("/api/analytics/export", response_class=Response)
def export_view(
    analyst: Analyst,
    service: Service,
    view: Annotated[str, Query(description=" | ".join(VIEWS))] = "summary",
    fmt: Annotated[Literal["csv", "xlsx", "json"], Query(alias="format")] = "csv",
    by: By = "agency",
    automatable: AutomatableQ = None,
    risk: RiskQ = None,
) -> Response:
    """Any view as a CSV or XLSX download."""
    if view not in VIEWS:
        raise ValidationProblem("unknown view", [f"view: '{view}' is not one of {', '.join(VIEWS)}"])
    aut, rsk = _filters(automatable, risk)
    data, media_type, filename = service.export(view, fmt, by, aut, rsk)
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(data, media_type=media_type or MEDIA_TYPES[fmt], headers=headers)


@router.post("/api/analytics/assess")
def assess(body: AssessRequest, analyst: Analyst, service: Service) -> dict[str, Any]:
    """A proposal (category, automatable, risk, rationale, nearest assessed functions) for a
    human to confirm — never stored, never applied."""
    return service.assess(body.function_text).to_dict()
