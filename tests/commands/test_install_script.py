"""scripts/install: quiet while it looks for a Python, and a no-op when nothing changed since the last install."""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.support.paths import ROOT

# Stands in for .venv/bin/python: runs the real Python, except that pip only records its arguments.
FAKE_VENV_PYTHON = f"""#!/bin/sh
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then echo "$@" >> "$(dirname "$0")/pip.log"; exit 0; fi
exec {sys.executable} "$@"
"""
# What a pyenv shim prints for a version that is installed but not selected.
PYENV_SHIM = """#!/bin/sh
echo "pyenv: $(basename "$0"): command not found" >&2
exit 127
"""


def checkout(tmp_path: Path) -> Path:
    """A copy of the files scripts/install reads, with an existing .venv whose pip only logs."""
    (tmp_path / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "install", tmp_path / "scripts" / "install")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    venv_python = tmp_path / ".venv" / "bin" / "python"
    venv_python.parent.mkdir(parents=True)
    venv_python.write_text(FAKE_VENV_PYTHON)
    venv_python.chmod(0o755)
    return tmp_path


def install(tree: Path, *args: str, path_dirs: tuple[Path, ...] = ()) -> subprocess.CompletedProcess:
    python_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": os.pathsep.join([*map(str, path_dirs), str(python_dir), "/usr/bin", "/bin"])}
    env.pop("SOLEUS_REINSTALL", None)
    env.pop("PYTHON", None)
    return subprocess.run(
        ["bash", str(tree / "scripts" / "install"), *args], capture_output=True, text=True, env=env, timeout=60
    )


def pip_runs(tree: Path) -> list[str]:
    log = tree / ".venv" / "bin" / "pip.log"
    return log.read_text().splitlines() if log.exists() else []


def test_probing_for_python_prints_nothing_about_pyenv_shims(tmp_path):
    tree = checkout(tmp_path / "tree")
    shims = tmp_path / "shims"
    shims.mkdir()
    for name in ("python3.12", "python3.11"):
        (shims / name).write_text(PYENV_SHIM)
        (shims / name).chmod(0o755)
    done = install(tree, path_dirs=(shims,))
    assert done.returncode == 0, done.stderr
    assert "command not found" not in done.stderr


def test_a_second_install_with_nothing_changed_does_not_reinstall(tmp_path):
    tree = checkout(tmp_path)
    assert install(tree, "--test").returncode == 0
    first = len(pip_runs(tree))
    assert first >= 1
    assert install(tree, "--test").returncode == 0
    assert install(tree).returncode == 0  # the test tools include the service
    assert len(pip_runs(tree)) == first


def test_a_changed_pyproject_or_more_extras_reinstall(tmp_path):
    tree = checkout(tmp_path)
    install(tree)
    runs = len(pip_runs(tree))
    install(tree, "--test")  # the service alone was installed: the test tools are missing
    assert len(pip_runs(tree)) > runs
    runs = len(pip_runs(tree))
    with open(tree / "pyproject.toml", "a") as handle:
        handle.write("\n# changed\n")
    install(tree, "--test")
    assert len(pip_runs(tree)) > runs


def test_the_license_is_an_spdx_string_so_setuptools_does_not_warn():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert isinstance(project["project"]["license"], str)
    assert "setuptools>=77" in project["build-system"]["requires"]  # the first setuptools to take the string


def test_each_step_is_one_line_and_nothing_changed_is_one_line_too(tmp_path):
    tree = checkout(tmp_path)
    first = install(tree, "--test")
    assert first.returncode == 0
    lines = first.stderr.splitlines()
    assert all(line.startswith("scripts/install: ") for line in lines), first.stderr
    assert any("installing soleus-screen" in line and "test" in line for line in lines)
    assert lines[-1].startswith("scripts/install: installed in ")
    again = install(tree, "--test")
    assert again.stderr.splitlines() == [
        "scripts/install: up to date (.venv has this pyproject.toml, with the test tools): nothing to install"
    ]
    assert again.stdout == ""


def test_a_failing_pip_shows_the_end_of_its_output(tmp_path):
    tree = checkout(tmp_path)
    venv_python = tree / ".venv" / "bin" / "python"
    venv_python.write_text(
        '#!/bin/sh\nif [ "$1" = "-m" ] && [ "$2" = "pip" ]; then echo "ERROR: no matching distribution for x"; '
        f'exit 1; fi\nexec {sys.executable} "$@"\n'
    )
    done = install(tree)
    assert done.returncode == 1
    assert "pip failed" in done.stderr and "ERROR: no matching distribution for x" in done.stderr


def test_the_docs_tools_install_with_their_own_option_and_stay_with_the_others(tmp_path):
    tree = checkout(tmp_path)
    assert install(tree, "--check", "--docs").returncode == 0
    assert pip_runs(tree)[-1].endswith(".[check,docs]")
    assert install(tree, "--test").returncode == 0  # adds the test tools, keeps the check and docs tools
    assert pip_runs(tree)[-1].endswith(".[check,docs,test]")
    refused = install(tree, "--site")
    assert refused.returncode == 2 and "--docs" in refused.stderr
