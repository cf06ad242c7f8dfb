"""Issue 15, defect 1, as the probe ran it: an incremental ingest SIGKILLed while its version is
`building` (a real `kenes` process, killed after writing 2 of its points) must never go live —
not by `kenes index rollback <it>`, not by POST /api/admin/index/rollback, not by a plain
rollback — and the next process that opens the index removes what it left."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.container import Container
from assistant.db.users import add_user
from assistant.settings import DEMO_DIR, PROJECT_ROOT
from tests.conftest import make_settings
from tests.integration.ingest.test_incremental import _env, _kenes, _manifest

pytestmark = pytest.mark.integration

ACTS = DEMO_DIR / "acts"
V1 = DEMO_DIR / "registry" / "functions.csv"
V2 = DEMO_DIR / "registry" / "functions-v2.csv"

# `kenes ingest --incremental` whose store dies like a SIGKILLed process once the new version
# holds the live one's points and none of the update (the probe saw an unfinished version).
_DYING_INGEST = """
import os, signal, sys
from assistant.store import edge, qdrant

def dying(cls):
    clone = cls.clone

    def clone_then_die(self, src, dst):
        clone(self, src, dst)
        os.kill(os.getpid(), signal.SIGKILL)

    cls.clone = clone_then_die

for cls in (edge.EdgeStore, qdrant.QdrantStore):  # whichever backend the settings pick
    dying(cls)
from assistant.cli import main
sys.argv = ["kenes", *sys.argv[1:]]
main()
"""


def _settings(data_dir: Path) -> Any:
    return make_settings(data_dir, embeddings={"mode": "hashing"})


@pytest.fixture()
def killed(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """v1 (full) and v2 (incremental) finished, v2 live; then v3 killed mid-build."""
    data_dir = tmp_path / "data"
    versions: dict[str, str] = {}
    for name, args in (
        ("v1", ("ingest", "--acts", str(ACTS), "--registry", str(V1), "--json")),
        ("v2", ("ingest", "--registry", str(V2), "--incremental", "--json")),
    ):
        done = _kenes(data_dir, *args)
        assert done.returncode == 0, done.stderr
        versions[name] = json.loads(done.stdout)["version"]
    dying = subprocess.run(
        [sys.executable, "-c", _DYING_INGEST, "ingest", "--registry", str(V1), "--incremental"],
        cwd=PROJECT_ROOT,
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert dying.returncode == -signal.SIGKILL, dying.stderr
    [v3] = [v for v in _manifest(data_dir) if v["status"] == "building"]
    versions["v3"] = v3["version"]
    c = Container(_settings(data_dir))
    try:  # a real unfinished copy beside the live one (the store is opened without the pipeline)
        assert v3["collection"] in c.store.collections()
        assert c.store.count(v3["collection"]) == c.store.count(c.store.live_collection() or "")
        assert c.store.live_collection() == f"kenes__{versions['v2']}"
    finally:
        c.close()
    yield data_dir, versions


def test_cli_rollback_to_a_killed_incremental_build_is_refused(killed: tuple[Path, dict[str, str]]) -> None:
    data_dir, v = killed
    refused = _kenes(data_dir, "index", "rollback", v["v3"])
    assert refused.returncode != 0
    assert f"Index version {v['v3']} is building" in refused.stderr and "never finished" in refused.stderr
    listed = json.loads(_kenes(data_dir, "index", "list", "--json").stdout)
    assert listed["live"] == f"kenes__{v['v2']}"
    assert [x["version"] for x in listed["versions"]] == [v["v1"], v["v2"]]  # cleaned up at start
    # a plain rollback goes to the finished v1, never to the killed build
    back = _kenes(data_dir, "index", "rollback")
    assert back.returncode == 0, back.stderr
    assert back.stdout.strip() == f"index {v['v1']} is live again"
    assert json.loads(_kenes(data_dir, "index", "list", "--json").stdout)["live"] == f"kenes__{v['v1']}"


def test_api_rollback_to_a_killed_incremental_build_is_refused(killed: tuple[Path, dict[str, str]]) -> None:
    data_dir, v = killed
    container = Container(_settings(data_dir))
    try:
        app = create_app(container)
        _, token = add_user(app.state.kenes.db, f"admin-{uuid.uuid4().hex[:8]}", "admin")
        admin = {"Authorization": f"Bearer {token}"}
        with TestClient(app) as client:
            r = client.post("/api/admin/index/rollback", json={"version": v["v3"]}, headers=admin)
            assert r.status_code == 422, r.text
            assert r.json()["error"]["code"] == "version_not_promotable"
            assert "never finished" in r.json()["error"]["message"]
            index = client.get("/api/admin/index", headers=admin).json()
            assert index["live"] == f"kenes__{v['v2']}"
            assert v["v3"] not in [x["version"] for x in index["versions"]]
            r = client.post("/api/admin/index/rollback", json={}, headers=admin)
            assert r.status_code == 200 and r.json()["version"] == v["v1"]
        assert f"kenes__{v['v3']}" not in container.store.collections()
    finally:
        container.close()
