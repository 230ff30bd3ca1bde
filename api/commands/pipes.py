"""End quietly when the reader of our output goes away (`soleus-screen screen x.json | head -1`).

Python ignores SIGPIPE, so a write into a closed pipe raises BrokenPipeError
(a traceback, then exit status 1, which the commands' exit statuses say means
"invalid input"), and the interpreter's last flush of stdout complains again.
A Unix tool whose reader went away stops at once and says nothing: its status
is 141 (128 + SIGPIPE) as a shell reports for one killed by the signal.
Restoring SIGPIPE's default action instead would also kill `serve` on a
client's closed socket, so it is caught here, around the whole command.
"""

import os
import signal
import sys

EXIT_CLOSED_PIPE = 128 + signal.SIGPIPE


def run(command, *args) -> int:
    """`command(*args)`'s exit status, flushing its output; EXIT_CLOSED_PIPE, silently, if the pipe closed."""
    try:
        status = command(*args)
        sys.stdout.flush()
        sys.stderr.flush()
        return status
    except BrokenPipeError:
        _to_devnull()
        return EXIT_CLOSED_PIPE


def _to_devnull() -> None:
    """Point stdout and stderr at /dev/null: what is still buffered, and the exit's flush, go nowhere."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError):  # not a real file (a test's capture): nothing to flush at exit
            pass
    os.close(devnull)
