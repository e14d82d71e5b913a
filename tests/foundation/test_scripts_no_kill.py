"""D9: the set-up scripts never stop or kill anything they did not start.

Two proofs: (1) the scripts' text has no stop/kill command at all; (2) each script is
executed down its install branch (every listed package "missing", running as root)
with every system command replaced by a recorder on PATH, and nothing that stops or
kills a process is called. The apt-get recorder also reports whether the machine's
service policy forbade starting new services while it "installed".
"""
from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ("setup.sh", "run.sh", "ensure_postgres.sh", "ensure_pacs_tools.sh")
STOPPERS = re.compile(r"\b(pkill|killall|kill\s|pg_ctlcluster\b.*\bstop|service\s+\S+\s+stop|"
                      r"systemctl\s+(stop|kill|disable)|pg_ctl\b.*\bstop|invoke-rc\.d\s+\S+\s+stop)")
RECORDED = ("apt-get", "dpkg-query", "service", "systemctl", "pg_ctlcluster", "pkill",
            "killall", "kill", "invoke-rc.d", "sudo", "Orthanc", "storescu", "pip")


@pytest.mark.parametrize("name", SCRIPTS)
def test_script_text_has_no_stop_or_kill(name):
    for n, line in enumerate((ROOT / "scripts" / name).read_text().splitlines(), 1):
        code = line.split("#", 1)[0]
        assert not STOPPERS.search(code), f"scripts/{name}:{n} stops or kills: {line.strip()}"


def _stub_bin(tmp: Path, log: Path, policy: Path) -> Path:
    bindir = tmp / "bin"
    bindir.mkdir()
    for cmd in RECORDED:
        body = f'#!/bin/bash\necho "{cmd} $*" >> "{log}"\n'
        if cmd == "apt-get":
            # what invoke-rc.d would do on install: ask the policy whether to start
            body += (f'if [ "$1" = install ]; then if [ -x "{policy}" ] && ! "{policy}" x start; '
                     f'then echo "policy: start refused" >> "{log}"; '
                     f'else echo "policy: start allowed" >> "{log}"; fi; fi\n')
        if cmd == "dpkg-query":
            body += "exit 1\n"            # every package "missing"
        if cmd in ("Orthanc", "storescu"):
            body += "exit 0\n"
        (bindir / cmd).write_text(body)
    (bindir / "id").write_text('#!/bin/bash\n[ "$1" = -u ] && echo 0 || /usr/bin/id "$@"\n')
    (bindir / "python3").write_text(
        '#!/bin/bash\nmkdir -p .venv/bin\nprintf "#!/bin/bash\\nexit 0\\n" > .venv/bin/python\n'
        'chmod +x .venv/bin/python\nprintf "#!/bin/bash\\nexit 0\\n" > .venv/bin/pharos\n'
        'chmod +x .venv/bin/pharos\n')
    for f in bindir.iterdir():
        f.chmod(f.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return bindir


def _run(tmp: Path, script: str, *args: str, pg_root: Path | None = None,
         hide: tuple[str, ...] = ()) -> tuple[str, subprocess.CompletedProcess]:
    repo = tmp / "repo"
    (repo / "scripts").mkdir(parents=True, exist_ok=True)
    for s in SCRIPTS:
        shutil.copy2(ROOT / "scripts" / s, repo / "scripts" / s)
    (repo / "pyproject.toml").write_text("[project]\nname='x'\n")
    (repo / "requirements.lock").write_text("# locked\n")
    (repo / "setup.py").write_text("# build hook\n")
    log, policy = tmp / "calls.log", tmp / "policy-rc.d"
    bindir = tmp / "bin" if (tmp / "bin").exists() else _stub_bin(tmp, log, policy)
    for h in hide:
        (bindir / h).unlink(missing_ok=True)
    # a PATH with the recorders first and only the basic tools after them
    basic = tmp / "basic"
    basic.mkdir(exist_ok=True)
    for tool in ("bash", "sh", "grep", "sort", "tail", "basename", "dirname", "printf",
                 "chmod", "rm", "mkdir", "cat", "env", "sed", "head", "cp", "mv", "ls",
                 "sha256sum", "cut"):
        src = shutil.which(tool)
        if src and not (basic / tool).exists():
            (basic / tool).symlink_to(src)
    env = {"PATH": f"{bindir}:{basic}", "HOME": str(tmp), "PHAROS_POLICY_RC": str(policy),
           "PHAROS_PG_ROOT": str(pg_root or tmp / "no-postgres"), "PYTHON": "python3"}
    out = subprocess.run(["bash", str(repo / "scripts" / script), *args], cwd=repo, env=env,
                         capture_output=True, text=True, timeout=60)
    return (log.read_text() if log.exists() else ""), out


def _assert_nothing_stopped(calls: str) -> None:
    bad = [c for c in calls.splitlines() if re.match(
        r"(pkill|killall|kill)\b|service \S+ stop|systemctl (stop|kill)|pg_ctlcluster .* stop|"
        r"invoke-rc.d \S+ stop", c)]
    assert not bad, f"the script stopped or killed something it did not start: {bad}"


def test_setup_install_branch_stops_nothing(tmp_path):
    calls, out = _run(tmp_path, "setup.sh", "--test")
    assert out.returncode == 0, out.stderr
    assert "apt-get install" in calls          # the install branch really ran
    _assert_nothing_stopped(calls)
    assert "policy: start refused" in calls    # new services are not started instead
    assert not (tmp_path / "policy-rc.d").exists()   # and the policy is removed again


def test_setup_keeps_the_machines_own_policy(tmp_path):
    policy = tmp_path / "policy-rc.d"
    policy.write_text("#!/bin/sh\nexit 0\n")
    policy.chmod(0o755)
    calls, out = _run(tmp_path, "setup.sh", "--test")
    assert out.returncode == 0, out.stderr
    assert policy.read_text() == "#!/bin/sh\nexit 0\n"
    _assert_nothing_stopped(calls)


def test_run_sh_stops_nothing(tmp_path):
    calls, out = _run(tmp_path, "run.sh")
    assert out.returncode == 0, out.stderr
    assert "apt-get install" in calls
    _assert_nothing_stopped(calls)


def test_ensure_postgres_install_branch_stops_nothing(tmp_path):
    pg_root = tmp_path / "pg"
    # apt-get "installs" PostgreSQL 15: the recorder creates the binaries
    calls, out = _run(tmp_path, "ensure_postgres.sh", pg_root=pg_root)
    assert "apt-get install" in calls
    _assert_nothing_stopped(calls)
    assert "policy: start refused" in calls
    assert not (tmp_path / "policy-rc.d").exists()


def test_ensure_pacs_tools_install_branch_stops_nothing(tmp_path):
    calls, out = _run(tmp_path, "ensure_pacs_tools.sh", hide=("Orthanc", "storescu"))
    assert "apt-get install" in calls
    _assert_nothing_stopped(calls)
    assert "policy: start refused" in calls
    assert not (tmp_path / "policy-rc.d").exists()


def test_recorder_sees_a_stop(tmp_path):
    """The execution check can fail: the old setup.sh (stop loop) is caught."""
    old = subprocess.run(["git", "-C", str(ROOT), "show", "5de2345:scripts/setup.sh"],
                         capture_output=True, text=True)
    if old.returncode != 0:
        pytest.skip("history not available")
    calls, _ = _run(tmp_path, "setup.sh", "--test")
    (tmp_path / "repo" / "scripts" / "setup.sh").write_text(old.stdout)
    (tmp_path / "calls.log").unlink()
    env_log = tmp_path / "calls.log"
    out = subprocess.run(["bash", str(tmp_path / "repo" / "scripts" / "setup.sh"), "--test"],
                         cwd=tmp_path / "repo", capture_output=True, text=True, timeout=60,
                         env={"PATH": f"{tmp_path / 'bin'}:{tmp_path / 'basic'}",
                              "HOME": str(tmp_path), "PYTHON": "python3"})
    with pytest.raises(AssertionError):
        _assert_nothing_stopped(env_log.read_text())
    assert os.environ is not None and out is not None
