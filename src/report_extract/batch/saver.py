"""Saving results as they come, off the main thread, with group commit.

Making one result durable costs two fsyncs (its part record, then its manifest line):
15 ms on a virtual disk, as long as a tiny report takes to extract. Done on the thread
that feeds the workers, it would stall them; done here, it overlaps their work, and the
results that arrive while one batch is being synced are written together by the next
(one fdatasync and one fsync for all of them). A result is on disk one sync after it
arrives, well within a second.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

Item = TypeVar("Item")


class GroupSaver(Generic[Item]):
    """Calls `save(batch)` in a thread for the items put, in order, a batch at a time.

    A failure of `save` stops the saving; it is raised by the next put() or by close().
    """

    def __init__(self, save: Callable[[list[Item]], None]):
        self._save = save
        self._pending: list[Item] = []
        self._changed = threading.Condition()
        self._closing = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._loop, name="report-extract-saver",
                                        daemon=True)  # a kill loses only what is pending
        self._thread.start()

    def put(self, item: Item) -> None:
        with self._changed:
            if self._error is not None:
                raise self._error
            self._pending.append(item)
            self._changed.notify()

    def close(self) -> None:
        """Wait until every item put is saved; raise the failure that stopped saving."""
        with self._changed:
            self._closing = True
            self._changed.notify()
        self._thread.join()
        if self._error is not None:
            raise self._error

    def _loop(self) -> None:
        while True:
            with self._changed:
                while not self._pending and not self._closing:
                    self._changed.wait()
                if not self._pending:
                    return
                batch, self._pending = self._pending, []
            try:
                self._save(batch)
            except BaseException as exc:  # handed to the main thread
                with self._changed:
                    self._error = exc
                return
