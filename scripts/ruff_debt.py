"""Print (or --write into pyproject.toml) the ruff "debt" table: the files that broke a
rule when the gate was introduced, each with the codes it still breaks.

The gate (scripts/gates.sh) runs ruff with this table, so new code is held to every rule
while the listed files are worked down. Pyflakes findings (F: undefined or unused names,
redefinitions) are bugs and never enter the table. The table may only shrink: a pull that adds a
line to it needs a reason in its description. Regenerate after fixing files:
    .venv/bin/python scripts/ruff_debt.py --write
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "# --- ruff debt: begin (scripts/ruff_debt.py)", "# --- ruff debt: end"


def current_debt() -> dict[str, list[str]]:
    """Every file's violations with the debt table taken out (pyproject.toml is rewritten
    without it for the run and put back as it was)."""
    path = ROOT / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n", "", text,
                           flags=re.S), encoding="utf-8")
    try:
        out = subprocess.run([str(ROOT / ".venv" / "bin" / "ruff"), "check", "--no-cache",
                              "--output-format", "json", "--exit-zero", "."],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
    finally:
        path.write_text(text, encoding="utf-8")
    debt: dict[str, set[str]] = defaultdict(set)
    for v in json.loads(out):
        if v["code"].startswith("F"):        # pyflakes findings are bugs, never debt
            continue
        debt[Path(v["filename"]).resolve().relative_to(ROOT).as_posix()].add(v["code"])
    return {f: sorted(c) for f, c in sorted(debt.items())}


def table(debt: dict[str, list[str]]) -> str:
    lines = [BEGIN, "[tool.ruff.lint.extend-per-file-ignores]"]
    lines += [f'"{f}" = [{", ".join(repr(c).replace(chr(39), chr(34)) for c in codes)}]'
              for f, codes in debt.items()]
    return "\n".join(lines + [END]) + "\n"


def main(argv: list[str]) -> int:
    debt = current_debt()
    block = table(debt)
    if "--write" not in argv:
        print(block, end="")
        return 0
    path = ROOT / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n", block, text, flags=re.S)
    else:
        anchor = "[tool.ruff.lint.flake8-annotations]"
        text = text.replace(anchor, "# files still breaking a rule (the debt table: it may only shrink)\n"
                            + block + "\n" + anchor)
    path.write_text(text, encoding="utf-8")
    print(f"{len(debt)} files in the ruff debt table", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
