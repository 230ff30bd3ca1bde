"""Map a function over a stream of chunks in worker processes, in order, with bounded memory.

`Pool.imap` would read the whole input into its task queue ahead of the
workers; here at most `in_flight` chunks are submitted and not yet collected,
so memory stays flat however long the roster is. Results come back in input
order. Workers are started with `spawn`: each is a fresh interpreter with its
own rules engine, safe whatever threads the parent runs, and a direct child of
the parent (so its resource use is accounted to it). A stream of a single
chunk is worked in this process: starting workers would cost more than it saves.

Workers die with their parent: on Linux each asks the kernel for SIGKILL
when the process that started it dies (prctl PR_SET_PDEATHSIG), so a run
killed outright (SIGKILL) leaves no orphaned worker behind, nor the
multiprocessing resource tracker, which exits once no worker holds its pipe.
(The kernel watches the *thread* that started a worker: `ordered_map`'s
caller, which outlives its pool.) Other systems have no such request.
"""

import ctypes
import ctypes.util
import functools
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

IN_FLIGHT_PER_WORKER = 3
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent(parent: int, initializer: Callable[[], None] | None = None) -> None:
    """Worker initializer: be killed when `parent` dies (Linux), then run `initializer`."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request above took effect
        os._exit(1)
    if initializer:
        initializer()


def default_workers() -> int:
    return os.cpu_count() or 1


def ordered_map(
    function: Callable, chunks: Iterable, *, workers: int, initializer: Callable[[], None] | None = None
) -> Iterator:
    """Yield `function(chunk)` for every chunk, in order, using up to `workers` processes."""
    chunks = iter(chunks)
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None)
    if workers <= 1 or second is None:
        if initializer:
            initializer()
        for chunk in _chain(first, second, chunks):
            yield function(chunk)
        return
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=functools.partial(die_with_parent, os.getpid(), initializer),
    )
    try:
        yield from submit_in_order(pool.submit, function, _chain(first, second, chunks), workers * IN_FLIGHT_PER_WORKER)
    finally:
        # On an error (or the consumer stopping early) drop the work not yet started.
        pool.shutdown(wait=True, cancel_futures=True)


def submit_in_order(submit: Callable, function: Callable, chunks: Iterable, in_flight: int) -> Iterator:
    """Yield `function(chunk)` in order, with at most `in_flight` submitted and not yet collected.

    `submit(function, chunk)` returns a future with `.result()`: a process pool's
    or a Dask client's.
    """
    pending: deque = deque()
    for chunk in chunks:
        pending.append(submit(function, chunk))
        if len(pending) >= in_flight:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _chain(first, second, rest: Iterator) -> Iterator:
    yield first
    if second is not None:
        yield second
        yield from rest
