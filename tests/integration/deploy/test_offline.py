"""Offline proof: `kenes ingest` and `kenes ask --json` succeed inside a network namespace that
has nothing but loopback (`unshare -n`), with the embedded defaults (packaged embedding model,
packaged GGUF through llama-cpp-python, embedded Qdrant), and Kenes itself switches the
Hugging Face / telemetry libraries to offline mode (assistant/offline.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.llm.model_files import prepare_model
from assistant.offline import OFFLINE_ENV
from assistant.settings import Settings
from tests.conftest import dev_item

pytestmark = pytest.mark.e2e

ITEM_ID = "d-law-008"  # a law question the demo index answers from access-to-information
TIMEOUT_S = 900
# Variables of the machine the child may keep (CPU quirks, OpenMP behaviour); nothing else leaks in.
PASS_THROUGH = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_WAIT_POLICY", "LANG", "LC_ALL")

# Runs the real `kenes` entry point (what the console script calls) and then records what the
# process saw: its network interfaces and the offline variables after Kenes started.
PROBE = """
import json, os, sys
from pathlib import Path
from typing import Any

report = Path(sys.argv[1])
sys.argv = ["kenes", *sys.argv[2:]]
lines = Path("/proc/net/dev").read_text().splitlines()[2:]
interfaces = sorted(line.split(":")[0].strip() for line in lines)
from assistant.cli import main
from assistant.offline import OFFLINE_ENV

code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
finally:
    env = {key: os.environ.get(key) for key in OFFLINE_ENV}
    report.write_text(json.dumps({"interfaces": interfaces, "env": env, "exit": code}))
sys.exit(code)
"""


def model_data_dir() -> Path:
    # Same cache as tests/integration/llm: the ~0.5 GB assembly happens once per machine.
    return Path(os.environ.get("KENES_DATA_DIR") or Path.home() / ".cache" / "kenes" / "test-data")


def unshare_problem() -> str | None:
    if not sys.platform.startswith("linux"):
        return "network namespaces are Linux only"
    if os.geteuid() != 0:
        return "unshare -n needs root"
    if shutil.which("unshare") is None:
        return "unshare (util-linux) is not installed"
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        return f"unshare -n is not permitted here: {probe.stderr.strip()}"
    return None


def isolated(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run argv in a fresh network namespace with only loopback (brought up if `ip` exists)."""
    wrapper = 'command -v ip >/dev/null 2>&1 && ip link set lo up; exec "$@"'
    return subprocess.run(
        ["unshare", "-n", "--", "sh", "-c", wrapper, "sh", *argv],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_S, stdin=subprocess.DEVNULL,
    )  # fmt: skip


@pytest.fixture(scope="module")
def gguf() -> Path:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (scripts/setup.sh builds it)")
    return prepare_model(Settings(data_dir=model_data_dir()))


@pytest.fixture()
def offline_env(tmp_path: Path, gguf: Path) -> dict[str, str]:
    problem = unshare_problem()
    if problem:
        pytest.skip(problem)
    home = tmp_path / "home"
    home.mkdir()
    env = {key: os.environ[key] for key in PASS_THROUGH if key in os.environ}
    env.update(
        PATH=f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
        HOME=str(home),  # an empty home: no Hugging Face cache to fall back on
        PYTHONIOENCODING="utf-8",
        KENES_DATA_DIR=str(tmp_path / "data"),
        KENES_LLM__MODE="llamacpp",
        KENES_LLM__MODEL_PATH=str(gguf),
        KENES_LLM__N_THREADS="2",
        KENES_LLM__N_CTX="2048",
        KENES_LLM__MAX_TOKENS="48",  # 2 shared cores: keep the generation short
        KENES_LLM__TEMPERATURE="0.0",
    )
    leaked = sorted(set(env) & set(OFFLINE_ENV))
    assert not leaked, f"the test itself must not set {leaked}: Kenes has to"
    return env


def test_ingest_and_ask_with_no_network(tmp_path: Path, offline_env: dict[str, str]) -> None:
    kenes = Path(sys.executable).parent / "kenes"
    if not kenes.exists():
        pytest.skip(f"{kenes} is not installed (pip install -e .)")

    ingest = isolated([str(kenes), "ingest", "--json"], offline_env, tmp_path)
    assert ingest.returncode == 0, f"kenes ingest failed offline:\n{ingest.stderr[-3000:]}"
    report = json.loads(ingest.stdout.strip().splitlines()[-1])
    assert report["counts"]["total"] > 0 and report["counts"].get("articles", 0) > 0, report

    item = dev_item(ITEM_ID)
    probe_file = tmp_path / "probe.json"
    probe_script = tmp_path / "probe.py"
    probe_script.write_text(PROBE, encoding="utf-8")
    ask = isolated(
        [sys.executable, str(probe_script), str(probe_file), "ask", str(item["question"]), "--json"],
        offline_env,
        tmp_path,
    )
    assert ask.returncode == 0, f"kenes ask failed offline:\n{ask.stderr[-3000:]}"
    probe = json.loads(probe_file.read_text(encoding="utf-8"))

    # the namespace really had no network but loopback
    assert probe["interfaces"] == ["lo"], probe["interfaces"]
    # Kenes switched the libraries offline itself (the parent passed none of these)
    assert probe["env"] == OFFLINE_ENV
    assert probe["env"]["HF_HUB_OFFLINE"] == "1"

    answer = json.loads(ask.stdout.strip().splitlines()[-1])
    assert answer["refused"] is False, answer["answer"]
    assert answer["citations"], "an answer without citations"
    cited = {c["citation"].split(".p")[0] for c in answer["citations"]}
    assert set(item["gold_citations"]) & cited, f"expected {item['gold_citations']}, cited {sorted(cited)}"
    assert "[1]" in answer["answer"]
    assert report["version"] in answer["index_version"]  # the live collection is <alias>__<version>
    # the embedded LLM really ran (its synthesis may still be trimmed by the citation check)
    assert answer["model"], "no model recorded: the LLM did not run"
    assert "ttft_ms" in answer["timings"]
