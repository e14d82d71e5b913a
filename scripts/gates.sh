#!/usr/bin/env bash
# The house's gates, run by scripts/test.sh (and so by .ci/run) before the tests:
#   ruff (lint; the rule families the code's noqa comments name), mypy (strict on app/core;
#   app/ct, app/adapters and the stations' Qt-free modules checked - see [tool.mypy]),
#   import-linter (Qt-free core and adapters, stations independent of each other, no import
#   cycle inside a station, UI never imports adapters), the lock covers pyproject.toml.
# Usage: scripts/gates.sh        exit 1 naming the first gate that fails
set -euo pipefail
cd "$(dirname "$0")/.."
V=.venv/bin
echo "== gate: ruff"
"$V/ruff" check --quiet .
echo "== gate: mypy (strict: app/core; checked: app/ct, app/adapters, stations' domain code)"
"$V/mypy" --no-error-summary
echo "== gate: import-linter"
out=$("$V/lint-imports" --no-cache 2>&1) || { echo "$out" | sed -n '/Broken contracts/,$p'; exit 1; }
echo "$out" | grep -E "^Contracts:"
echo "== gate: requirements.lock pins every dependency of pyproject.toml"
"$V/python" - <<'PY'
import re, sys, tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
wanted = list(project["dependencies"])
for extra in ("test", "lint", "build"):
    wanted += project["optional-dependencies"][extra]
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
locked = {norm(m.group(1)) for m in re.finditer(r"^([A-Za-z0-9_.-]+)==", open("requirements.lock").read(), re.M)}
missing = [w for w in wanted if norm(re.split(r"[\[<>=!~ ;]", w, 1)[0]) not in locked]
if missing:
    sys.exit("requirements.lock lacks: " + ", ".join(missing) + " (run scripts/lock.sh)")
print(f"{len(wanted)} requirements pinned with hashes")
PY
echo "gates passed"
