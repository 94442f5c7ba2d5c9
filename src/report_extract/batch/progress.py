"""Progress for people: a tqdm bar on a terminal, plain periodic lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO

MODES = ("auto", "bar", "lines", "off")
LINE_INTERVAL = 10.0  # seconds between plain lines (logs, CI)


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class Progress:
    def __init__(self, total: int, mode: str = "auto", stream: TextIO | None = None,
                 interval: float = LINE_INTERVAL, desc: str = "converting", unit: str = "file"):
        self.stream = stream or sys.stderr
        if mode == "auto":
            mode = "bar" if self.stream.isatty() else "lines"
        self.mode = mode
        self.total = total
        self.done = 0
        self.failed = 0
        self.interval = interval
        self._start = time.monotonic()
        self._last_line = self._start
        self._bar = None
        self.unit = unit
        if mode == "bar" and total:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit=unit, file=self.stream, dynamic_ncols=True,
                             desc=desc)

    def say(self, message: str) -> None:
        if self.mode == "off":
            return
        if self._bar is not None:
            self._bar.write(message, file=self.stream)
        else:
            print(message, file=self.stream, flush=True)

    def update(self, ok: bool) -> None:
        if ok:
            self.done += 1
        else:
            self.failed += 1
        if self._bar is not None:
            self._bar.set_postfix(done=self.done, failed=self.failed, refresh=False)
            self._bar.update(1)
        elif self.mode == "lines" and time.monotonic() - self._last_line >= self.interval:
            self._last_line = time.monotonic()
            self.say(self.line())

    def line(self) -> str:
        finished = self.done + self.failed
        elapsed = time.monotonic() - self._start
        rate = finished / elapsed if elapsed > 0 else 0.0
        unit = self.unit
        text = (f"{finished}/{self.total} {unit}s ({self.done} done, {self.failed} failed), "
                f"{rate:.1f} {unit}s/s")
        if rate > 0 and finished < self.total:
            text += f", about {_duration((self.total - finished) / rate)} left"
        return text

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
