#!/usr/bin/env bash
# Re-make requirements.lock (every dependency of the application, its tests, the gates and
# the bundle build, pinned with sha256 hashes) from pyproject.toml, preferring the versions
# now installed in .venv. Review the diff, run scripts/test.sh, commit both files.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pip install -q pip-tools
c=$(mktemp); trap 'rm -f "$c"' EXIT
.venv/bin/python -m pip freeze | grep -v -E '^(-e |pharos|pip-tools|build==|pyproject_hooks)' > "$c" || true
.venv/bin/pip-compile -q --strip-extras --generate-hashes --allow-unsafe --no-emit-index-url \
  --no-emit-find-links --extra test --extra lint --extra build -c "$c" -o requirements.lock pyproject.toml
sed -i -e "\#-c $c#d" -e "s#--constraint=$c ##" requirements.lock
