#!/usr/bin/env bash
# The main job on the embedded defaults: set up, index the bundled demo corpus + registry,
# answer a few questions from the command line, then serve the web chat on :8000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export KENES_DATA_DIR="${KENES_DATA_DIR:-$PWD/var}"
K=.venv/bin/kenes
$K ingest
$K ask "Кто обеспечивал работу проектного офиса программы «Рухани жаңғыру»?"
$K ask "В какой срок нужно удалить незаконно размещённые персональные данные по требованию субъекта?"
$K ask "Мемлекеттік көрсетілетін қызметтердің тізілімін кім бекітеді?"
# A sign-in for the web chat: user "demo" (analyst) with a fresh password, shown once. Kept in
# KENES_DATA_DIR; later runs keep the account (reset with: kenes users password demo).
if ! $K users list --json 2>/dev/null | grep -q '"name": "demo"'; then
  DEMO_PASSWORD="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(12))')"
  printf '%s\n' "$DEMO_PASSWORD" | $K users add demo --role analyst --password >/dev/null
  printf '\n\033[1mWeb chat sign-in:\033[0m user demo, password %s\n\n' "$DEMO_PASSWORD"
fi
exec $K serve --host "${KENES_HOST:-127.0.0.1}" --port "${KENES_PORT:-8000}"
