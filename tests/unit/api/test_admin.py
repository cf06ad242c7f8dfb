"""Admin API over a fake facade: versions, rollback, upload validation, jobs, 409."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from tests.unit.api.conftest import token_for

GOOD_HEADER = (
    "function_id,agency,function_text,act_slug,act_title,legal_basis,citation,category,"
    "automatable,automation_risk,automation_rationale,updated_on\n"
)


def _registry_csv() -> bytes:
    from assistant.settings import DEMO_DIR

    return (DEMO_DIR / "registry" / "functions.csv").read_bytes()


def _wait(client: TestClient, job_id: str, headers: dict[str, str]) -> dict[str, object]:
    for _ in range(200):
        job = client.get(f"/api/admin/jobs/{job_id}", headers=headers).json()
        if job["state"] in ("done", "failed"):
            return dict(job)
        time.sleep(0.02)
    raise AssertionError("job did not finish")


def test_index_lists_versions_and_live(client: TestClient) -> None:
    r = client.get("/api/admin/index", headers=token_for(client, "root", "admin"))
    data = r.json()
    assert data["live"] == "kenes__v1"
    assert [(v["version"], v["live"]) for v in data["versions"]] == [("v0", False), ("v1", True)]


def test_rollback(client: TestClient) -> None:
    r = client.post("/api/admin/index/rollback", json={}, headers=token_for(client, "root", "admin"))
    assert r.status_code == 200 and r.json()["live"] == "kenes__v0"


def test_bad_registry_is_422_with_lines_and_nothing_runs(client: TestClient) -> None:
    admin = token_for(client, "root", "admin")
    bad = GOOD_HEADER + "X-1,,текст,a,b,c,d,e,может быть,низкий,r,2024-01-01\n"
    r = client.post("/api/admin/ingest", files={"registry": ("reg.csv", bad.encode())}, headers=admin)
    assert r.status_code == 422
    problems = r.json()["error"]["details"]["problems"]
    assert problems and all(p.startswith("reg.csv:2:") for p in problems)
    fake = client.app.state.kenes.assistant  # type: ignore[attr-defined]
    assert not getattr(fake, "ingested", [])
    assert not any((client.app.state.kenes.container.settings.data_dir / "uploads").iterdir())  # type: ignore[attr-defined]


def test_upload_problems(client: TestClient) -> None:
    admin = token_for(client, "root", "admin")
    r = client.post("/api/admin/ingest", data={"incremental": "true"}, files={"x": ("x", b"")}, headers=admin)
    assert r.status_code == 422 and "nothing to index" in r.json()["error"]["details"]["problems"][0]
    r = client.post("/api/admin/ingest", files={"registry": ("reg.txt", b"x")}, headers=admin)
    assert (
        r.status_code == 422 and "unsupported registry format" in r.json()["error"]["details"]["problems"][0]
    )
    r = client.post("/api/admin/ingest", json={"x": 1}, headers=admin)
    assert r.status_code == 422 and "multipart" in r.json()["error"]["message"]


def test_upload_runs_a_job_and_one_at_a_time(client: TestClient) -> None:
    admin = token_for(client, "root", "admin")
    fake = client.app.state.kenes.assistant  # type: ignore[attr-defined]
    files = {"registry": ("functions.csv", _registry_csv())}
    r = client.post("/api/admin/ingest", files=files, data={"incremental": "true"}, headers=admin)
    assert r.status_code == 202
    job_id = r.json()["job_id"]
    running = client.get(f"/api/admin/jobs/{job_id}", headers=admin).json()
    assert running["state"] in ("queued", "running")
    second = client.post("/api/admin/ingest", files=files, headers=admin)
    assert second.status_code == 409 and second.json()["error"]["code"] == "conflict"
    assert client.post("/api/admin/index/rollback", json={}, headers=admin).status_code == 409
    fake.release.set()
    job = _wait(client, job_id, admin)
    assert job["state"] == "done" and job["progress"] == 1.0
    assert fake.prepared[-1] == "kenes__v2"  # the new index is warm before users reach it
    report = job["report"]
    assert (
        isinstance(report, dict)
        and report["summary"]["registry_added"] == 1
        and report["incremental"] is True
    )
    acts, registry, incremental, _ = fake.ingested[0]
    assert acts is None and registry is not None and registry.name == "functions.csv" and incremental
    assert not registry.exists()  # the upload is removed after the job
    assert client.get("/api/admin/jobs/nope", headers=admin).status_code == 404


def test_act_folders_are_laid_out_like_the_corpus(client: TestClient) -> None:
    from assistant.settings import DEMO_DIR

    admin = token_for(client, "root", "admin")
    fake = client.app.state.kenes.assistant  # type: ignore[attr-defined]
    fake.release.set()
    act = DEMO_DIR / "acts" / "personal-data"
    files = [
        ("acts", (f"personal-data/{p.name}", p.read_bytes())) for p in sorted(act.iterdir()) if p.is_file()
    ]
    r = client.post("/api/admin/ingest", files=files, data={"incremental": "false"}, headers=admin)
    assert r.status_code == 202, r.text
    assert _wait(client, r.json()["job_id"], admin)["state"] == "done"
    _, registry, incremental, names = fake.ingested[0]
    assert registry is None and not incremental
    assert "personal-data/meta.yaml" in names and "personal-data/rus.md" in names
