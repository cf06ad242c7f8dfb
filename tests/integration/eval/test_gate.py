"""The CI gate: the dev sets (v1 and v2) with the embedded defaults must meet eval/thresholds.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.container import Container
from eval.datasets import load_dataset
from eval.gate import check_gate, load_thresholds
from eval.runner import EvalRunner
from tests.conftest import DEV_SETS, DEV_V2_SETS

pytestmark = pytest.mark.integration


def test_dev_sets_pass_the_gate(demo_container: Container, tmp_path: Path) -> None:
    summary = EvalRunner(demo_container.assistant, tmp_path / "gate", progress=False).run(
        load_dataset([*DEV_SETS, *DEV_V2_SETS])
    )
    failures = check_gate(summary, load_thresholds())
    assert failures == [], "eval gate failed (report: {}):\n{}".format(
        tmp_path / "gate" / "report.md", "\n".join(failures)
    )
