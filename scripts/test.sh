#!/usr/bin/env bash
# The project's one test command:  bash scripts/test.sh [pytest args...]
#
# Creates .venv (if absent), installs the pinned dev requirements, runs `ruff check .`, the type
# checker (`mypy`, on field/) and then pytest with the given arguments. pytest's "no tests
# collected" (exit 5) is turned into a failure, because a test command that tests nothing must not
# look green. Other exit codes pass through.
#
# Environment:
#   FIELD_VENV               use this virtualenv instead of ./.venv (e.g. an existing one)
#   PYTHON                   interpreter used to create the venv (default: python3, must be >= 3.11)
#   FIELD_TEST_POSTGRES_URL  also run the database tests against this PostgreSQL (see tests/conftest.py)
#   FIELD_REQUIRE_POSTGRES=1 fail instead of skipping when that database is not reachable
#   FIELD_E2E_REQUIRED=1     fail instead of skipping the browser tests when Chromium is missing
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV="${FIELD_VENV:-.venv}"
PYTHON="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
        echo "scripts/test.sh: $PYTHON is $("$PYTHON" --version 2>&1); Python >= 3.11 is required" >&2
        exit 2
    fi
    echo "scripts/test.sh: creating virtualenv $VENV"
    "$PYTHON" -m venv "$VENV"
fi

# Reinstall only when the pinned requirements changed since the last successful install.
stamp="$VENV/.field-requirements.sha256"
wanted="$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    echo "scripts/test.sh: installing requirements-dev.txt into $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r requirements-dev.txt
    echo "$wanted" > "$stamp"
fi

echo "scripts/test.sh: ruff check ."
"$VENV/bin/python" -m ruff check .

echo "scripts/test.sh: mypy (field/, configured in pyproject.toml)"
"$VENV/bin/python" -m mypy

echo "scripts/test.sh: pytest $*"
set +e
"$VENV/bin/python" -m pytest "$@"
rc=$?
set -e

if [ "$rc" -eq 5 ]; then
    echo "scripts/test.sh: pytest collected no tests (exit 5) — treating as a failure" >&2
    exit 1
fi
exit "$rc"
