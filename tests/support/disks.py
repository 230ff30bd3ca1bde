"""Real file-system faults for the store tests: a small disk that fills up, and one that turns read-only.

Both are tmpfs mounts (mounting needs root, CAP_SYS_ADMIN); where the test
cannot mount, the test is skipped with the reason, except under CI (CI=true),
where it fails: CI must run the store's fault tests.
"""

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _mount(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(["mount", *args], capture_output=True, text=True, timeout=10)


@contextmanager
def small_disk(folder: Path, size: str = "8m") -> Iterator[Path]:
    """A tmpfs of `size` mounted at `folder` (made), unmounted on exit."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = _mount(["-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)])
    if mounted.returncode != 0:
        reason = f"cannot mount a tmpfs (needs root): {mounted.stderr.strip()}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=10)


def fill(folder: Path) -> Path:
    """Write a file in `folder` until its file system is full; the file (remove it to free the space)."""
    filler = folder / "filler"
    chunk = b"\0" * 65536
    with open(filler, "wb", buffering=0) as out:
        try:
            while True:
                out.write(chunk)
        except OSError as error:
            if error.errno != errno.ENOSPC:
                raise
    with open(filler, "ab", buffering=0) as out:  # the last few bytes a whole chunk did not fit in
        try:
            while True:
                out.write(b"\0")
        except OSError as error:
            if error.errno != errno.ENOSPC:
                raise
    return filler


def remount(folder: Path, mode: str) -> None:
    """Make the mount at `folder` read-only (`ro`) or writable again (`rw`)."""
    done = _mount(["-o", f"remount,{mode}", str(folder)])
    assert done.returncode == 0, done.stderr
