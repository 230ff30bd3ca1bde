"""Screen a roster's chunks on a Dask cluster: a local one of N worker processes, or a scheduler's.

    with cluster_map("local:2") as mapping:          # or "tcp://scheduler:8786"
        for output in mapping(screen_chunk, tasks):     # in roster order
            ...

This is Dask distributed, not a home-made pool. A `WorkerPlugin` builds the
screener (ruleset and durable_rules engine) once in every worker process, as
it joins, before its first chunk; each worker process should run one
thread (`LocalCluster(threads_per_worker=1)`, `dask worker --nthreads 1`):
the engine screens one runner at a time per process, so more threads only
wait. The roster is read by this process and chunks are submitted a few
per worker thread ahead (`processes.submit_in_order`), so memory stays flat
and results come back in roster order whatever finishes first.

A worker that dies mid-chunk (killed, out of memory, its machine lost) is
Dask's to handle: its nanny starts a new worker process and the scheduler
gives the chunk to a live worker; a chunk is pure (same rows, same
stamp, same output), so a rerun changes nothing. Only when workers died
running the same chunk more than `distributed.scheduler.allowed-failures`
times (3 by default), or the scheduler is lost, does the run fail: it raises
`ClusterError` and, like any failed run, writes nothing.
"""

import contextlib
import logging
import pickle
import re
from collections.abc import Callable, Iterable, Iterator

from screening.errors import ScreeningError
from screening.roster.executors.processes import IN_FLIGHT_PER_WORKER, default_workers, submit_in_order
from screening.roster.worker.task import start_worker

ADDRESS = re.compile(r"^(local(:(?P<workers>[1-9]\d*))?|(tcp|tls)://\S+:\d+)$")
WORKERS_SECONDS = 60
PLUGIN_NAME = "soleus-screen-screener"
# A local cluster's scheduler and nannies run in this process, beside the roster's reading and
# writing, on the cores its workers screen on: their timers cost CPU every second, whatever the
# roster. Dask's statistical profiler samples each worker's stack every 10 ms, for its dashboard
# (5-10% of a worker's CPU, and no use here); every server measures its event loop every 20 ms
# (a warning about a blocked loop, which is silenced here anyway); nannies poll their worker's
# memory every 100 ms and everyone samples the system every 0.5 s. Work stealing moves queued
# tasks between workers: chunks are all alike, and the scheduler hands them out as workers
# free up (queuing), so it has nothing to balance. Together these took 4-5% of a core in this
# process and 1.5% in each worker on an idle local:2 cluster; tuned, 0.7% and 0.3%.
# Every Dask connection keeps its last messages under 1 MB for debugging, 1000 by default: a
# chunk's task is a few hundred KB, so the client's stream to the scheduler, and a local
# scheduler's stream to each worker, held the last 1000 chunks' rows in this process (some
# 300 MB once a roster passed 1,000,000 rows). Ten are kept.
CLIENT_CONFIG = {"distributed.admin.low-level-log-length": 10}
LOCAL_CLUSTER_CONFIG = {
    **CLIENT_CONFIG,
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.scheduler.work-stealing": False,
}


class ClusterError(ScreeningError):
    """The cluster could not screen the roster (unreachable, no workers, workers lost): nothing is written."""


def _unpickled(function: Callable, item: bytes):
    return function(pickle.loads(item))


def check_address(text: str) -> str:
    """Return `text` if it names a cluster (local, local:N, tcp://HOST:PORT, tls://...), else raise ValueError."""
    if not ADDRESS.match(text):
        raise ValueError(f"expected local, local:N or tcp://HOST:PORT, got {text!r}")
    return text


def _worker_plugin():
    from distributed.diagnostics.plugin import WorkerPlugin

    class ScreenerPlugin(WorkerPlugin):
        """Build the process's screener when a worker starts (or restarts), not in its first chunk."""

        name = PLUGIN_NAME

        def setup(self, worker) -> None:
            start_worker()

    return ScreenerPlugin()


@contextlib.contextmanager
def _client(address: str):
    import dask
    from distributed import Client, LocalCluster

    match = ADDRESS.match(check_address(address))
    assert match
    if address.startswith("local"):
        workers = int(match.group("workers") or default_workers())
        try:
            with dask.config.set(LOCAL_CLUSTER_CONFIG):  # read as they start; the nannies hand it to their workers
                cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=":0",  # any free port: a fixed one (8787) may be taken
                    silence_logs=logging.ERROR,
                )
        except (OSError, TimeoutError) as error:
            raise ClusterError(f"could not start a local Dask cluster of {workers} workers: {error}") from None
        # Results come straight from the workers, not through the scheduler: that one is in this
        # process, so each chunk's output would be read, written and read again here
        # (1-3 ms of this process's CPU a chunk of 1,000 rows).
        with cluster, dask.config.set(CLIENT_CONFIG), Client(cluster, direct_to_workers=True) as client:
            yield client
        return
    try:
        with dask.config.set(CLIENT_CONFIG):
            client = Client(address)  # tries for distributed.comm.timeouts.connect (30 s by default)
    except (OSError, TimeoutError) as error:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {error}") from None
    with client:
        try:
            client.wait_for_workers(1, timeout=WORKERS_SECONDS)
        except TimeoutError:
            raise ClusterError(f"no Dask worker joined the scheduler at {address} in {WORKERS_SECONDS} s") from None
        yield client


@contextlib.contextmanager
def cluster_map(address: str) -> Iterator[Callable[[Callable, Iterable], Iterator]]:
    """A map over the cluster at `address`: `mapping(function, items)` yields results in order."""
    from distributed import KilledWorker
    from distributed.client import FutureCancelledError
    from distributed.comm import CommClosedError

    with _client(address) as client:
        client.register_plugin(_worker_plugin())
        threads = sum(info["nthreads"] for info in client.scheduler_info()["workers"].values())
        in_flight = max(threads, 1) * IN_FLIGHT_PER_WORKER
        submitted: list = []

        def submit(function, item):
            # The scheduler keeps a task's arguments as it gets them: one bytes object, not 30,000 cells.
            future = client.submit(_unpickled, function, pickle.dumps(item, pickle.HIGHEST_PROTOCOL), pure=False)
            submitted.append(future)
            del submitted[: -in_flight - 1]  # keep only the ones that may still be pending
            return future

        def mapping(function: Callable, items: Iterable) -> Iterator:
            try:
                yield from submit_in_order(submit, function, items, in_flight)
            except KilledWorker as error:
                raise ClusterError(
                    f"Dask workers died {error.allowed_failures + 1} times running one partition "
                    f"(last {error.last_worker.address}); the roster was not finished"
                ) from None
            except (CommClosedError, FutureCancelledError, OSError, TimeoutError) as error:
                raise ClusterError(f"lost the Dask cluster mid-run ({type(error).__name__}: {error})") from None
            finally:
                client.cancel(submitted)

        yield mapping
