"""The roster's progress on a terminal: one line, redrawn, in runners with the time left."""

import sys
import time


class Progress:
    """One line on stderr, redrawn: "42,000 / about 100,000 runners, 1 min left".

    The total is estimated from the bytes read so far against the roster's
    size (the rows are not counted first), and so is the time left; both are
    exact at the end. Redrawn at most a few times a second.
    """

    EVERY = 0.2  # seconds between redraws

    def __init__(self, total_bytes: int, stream=None):
        self.total_bytes = total_bytes
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.drawn = 0.0
        self.width = 0

    def __call__(self, position: int, screened: int, invalid: int) -> None:
        now = time.monotonic()
        if now - self.drawn < self.EVERY and position < self.total_bytes:
            return
        self.drawn = now
        self._draw(progress_line(position, self.total_bytes, screened + invalid, invalid, now - self.started))

    def _draw(self, line: str) -> None:
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def close(self) -> None:
        if self.width:
            self._draw("")
            self.stream.write("\r")
            self.stream.flush()


def progress_line(position: int, total_bytes: int, rows: int, invalid: int, elapsed: float) -> str:
    """ "42,000 / about 100,000 runners, 1 min left" from the bytes read and the rows done so far."""
    done = min(position / total_bytes, 1.0) if total_bytes else 0.0
    if done >= 1.0:
        line = f"{rows:,} / {rows:,} runners"
    elif done > 0:
        line = f"{rows:,} / about {round(rows / done):,} runners, {duration(elapsed * (1 - done) / done)} left"
    else:
        line = f"{rows:,} runners"
    return line + (f" ({invalid:,} invalid)" if invalid else "")


def duration(seconds: float) -> str:
    """A time left in words: "12 s", "1 min", "1 h 5 min"."""
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"
