"""Mark a run's hidden staging folder with its owner, and remove the folders of runs that are provably dead.

A run killed outright (SIGKILL, power cut) cannot remove its `.roster-*`
folder; the next run into the same DIR does, but only when it can prove the
owner is gone: the marker file holds the host, the boot id, the owner's pid
and that process's start time (from /proc). The owner is dead if it ran on
this host in an earlier boot, or if no process with that pid and start time
exists now (a pid reused since has another start time). A folder without a
readable marker, or made on another host (a shared drive), is left alone.
"""

import json
import os
import shutil
import socket
from pathlib import Path

PREFIX = ".roster-"
MARKER = ".owner.json"
_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


def _boot_id() -> str | None:
    try:
        return _BOOT_ID.read_text().strip()
    except OSError:
        return None


def process_start(pid: int) -> int | None:
    """The start time of process `pid` in clock ticks since boot, or None if there is no such process (or /proc)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces; starttime is field 22.
    return int(stat.rsplit(")", 1)[1].split()[19])


def owner_record(pid: int | None = None) -> dict:
    pid = os.getpid() if pid is None else pid
    return {"host": socket.gethostname(), "boot_id": _boot_id(), "pid": pid, "start": process_start(pid)}


def mark(folder: Path) -> None:
    """Write this process's marker into its staging folder."""
    (folder / MARKER).write_text(json.dumps(owner_record()), encoding="utf-8")


def owner_is_dead(owner: dict) -> bool:
    """True only when the marker proves its process is gone (see the module docstring)."""
    if owner.get("host") != socket.gethostname() or owner.get("start") is None:
        return False
    boot_id = _boot_id()
    if boot_id is None:
        return False  # no /proc: nothing can be proved
    if owner.get("boot_id") != boot_id:
        return True
    return process_start(int(owner["pid"])) != owner["start"]


def remove_dead(out_dir: Path) -> list[Path]:
    """Remove the staging folders in `out_dir` whose owner is provably dead; return them."""
    removed = []
    for folder in sorted(out_dir.glob(PREFIX + "*")):
        try:
            owner = json.loads((folder / MARKER).read_text(encoding="utf-8"))
            dead = isinstance(owner, dict) and owner_is_dead(owner)
        except (OSError, ValueError, TypeError, KeyError):
            continue
        if dead and folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed
