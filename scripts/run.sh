#!/usr/bin/env bash
# The project's one run command:  bash scripts/run.sh
#
# Creates .venv (if absent), installs the pinned runtime requirements, creates or upgrades the
# database (embedded SQLite under ./data by default), creates the first admin if there are no
# users (FIELD_ADMIN_USER / FIELD_ADMIN_PASSWORD, or a generated password printed once), offers
# Cangzhou demo data on an empty database, and starts the app: `streamlit run serve.py`, which
# serves app.py as an ASGI application (st.App under uvicorn) with our own routes, such as
# GET /healthz (200 when the database answers, 503 when it does not).
#
# The app's settings (FIELD_DATABASE_URL, FIELD_DATA_DIR, ...) are in the README's settings
# table and field/config.py. This script's own variables:
#   FIELD_PORT     port to listen on (default 8501)
#   FIELD_ADDRESS  address to bind (default 0.0.0.0, every interface)
#   FIELD_DEMO     1 or 0: add the demo data to an empty database, or not, without asking
#                  (default: ask on a terminal, yes otherwise)
#   FIELD_VENV     the virtualenv to create or use (default .venv)
#   PYTHON         interpreter that creates the virtualenv (default python3, must be >= 3.11)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV="${FIELD_VENV:-.venv}"
PYTHON="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
        echo "Python >= 3.11 is required" >&2; exit 2; }
    "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.field-runtime.sha256"
wanted="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    echo "installing requirements.txt into $VENV ..."
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r requirements.txt
    echo "$wanted" > "$stamp"
fi
PY="$VENV/bin/python"

demo="${FIELD_DEMO:-}"
if [ -z "$demo" ]; then
    if [ -t 0 ]; then
        read -r -p "Add Cangzhou demo data (300 findings, demo users) if the database is empty? [Y/n] " ans
        case "${ans:-y}" in [nN]*) demo=0 ;; *) demo=1 ;; esac
    else
        demo=1
    fi
fi
# One process: the schema (migrated once), the first admin, the demo data (in bulk) if asked.
if [ "$demo" = "1" ]; then
    "$PY" -m field start --demo
else
    "$PY" -m field start
fi

exec "$PY" -m streamlit run serve.py --server.port "${FIELD_PORT:-8501}" --server.address "${FIELD_ADDRESS:-0.0.0.0}"
