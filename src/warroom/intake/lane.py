"""The intake lane: applies accepted alert payloads from the inbox, sharing SQLite's single
writer with the senders who put them there.

A lone event is applied at once; once the inbox is caught up, the lane waits `gather_s` so
that a stream of single events is applied (and coalesced) many at a time rather than one
transaction each. Behind a backlog it waits only when senders waited for the writer while
it applied: then it stays off the writer `senders_first` times as long as it took. Senders
are answered once their payloads are committed, so during a storm the inbox takes alerts at
the rate they come and is applied a little behind (`lag_budget_s` at most), groups with no
open incident (pages) first; between storms it is applied at full speed. Whatever the
transaction's size, it commits after `writer_slice_s` once a sender waits for the writer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from warroom.intake import inbox as intake_queue
from warroom.service.context import Context
from warroom.store.session import WRITER_SLICE_S

Apply = Callable[..., intake_queue.Applied]


@dataclass(frozen=True)
class LaneTuning:
    look_ahead_s: float = 0.5  # how often a backlog is searched for new groups to apply first
    gather_s: float = 0.1  # what an event in a stream may wait to be applied with others
    # after applying while senders waited for the writer, stay off it this many times as
    # long as it took (at most senders_first_max_s), so that senders get most of it ...
    senders_first: float = 1.5
    senders_first_max_s: float = 0.5
    # ... unless what it applied had waited this long: then it keeps its turns, and senders
    # are slowed to the rate alerts are applied rather than the backlog growing without end
    lag_budget_s: float = 30.0
    # an applying transaction gives the writer back once it has held it this long and a
    # sender waits for it: a request never waits behind a whole batch
    writer_slice_s: float = WRITER_SLICE_S


class IntakeLane:
    def __init__(
        self,
        ctx: Context,
        *,
        tuning: LaneTuning = LaneTuning(),
        apply: Apply = intake_queue.apply_waiting,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self.ctx = ctx
        self.tuning = tuning
        self._apply = apply
        self._monotonic = monotonic
        self._sleep = sleep
        self._looked_ahead = -tuning.look_ahead_s  # when a backlog was last searched
        self._behind = False  # the last apply left payloads waiting: no need to peek first
        self._senders_first = False  # the last apply kept senders waiting, within budget

    def apply(self, *, new_groups_first: bool = True, peek: bool = True) -> intake_queue.Applied:
        """Apply what waits in the inbox; in smaller transactions while senders come first."""
        self.ctx.runtime.part(intake_queue.InboxCommitted).clear()
        budget = (
            intake_queue.APPLY_BYTES_SENDERS_WAITING
            if self._senders_first
            else intake_queue.APPLY_BYTES
        )
        return self._apply(
            self.ctx,
            new_groups_first=new_groups_first,
            peek=peek,
            max_bytes=budget,
            give_way=lambda: self.ctx.db.sender_waits_on_turn(self.tuning.writer_slice_s),
        )

    def gather_and_apply(self) -> int:
        """One turn of the lane's loop (see the module's docstring); returns payloads applied."""
        started, senders_waited = self._monotonic(), self.ctx.db.senders_waited()
        look_ahead = started - self._looked_ahead >= self.tuning.look_ahead_s
        applied = self.apply(new_groups_first=look_ahead, peek=not self._behind)
        self._behind = not applied.drained
        if look_ahead and self._behind:
            self._looked_ahead = started
        self._senders_first = (
            self.ctx.db.senders_waited() > senders_waited
            and applied.waited_s < self.tuning.lag_budget_s
        )
        if pause := self._pause_after(applied, took=self._monotonic() - started):
            self._sleep(pause)
        return applied.payloads

    def _pause_after(self, applied: intake_queue.Applied, took: float) -> float:
        """Seconds to stay off the inbox after applying: `senders_first` times as long as it
        took while senders come first; `gather_s` after a quick apply that caught up."""
        if not applied.payloads:
            return 0.0
        tuning = self.tuning
        pause = 0.0
        if self._senders_first:
            pause = min(took * tuning.senders_first, tuning.senders_first_max_s)
        if applied.drained and took < tuning.gather_s:
            pause = max(pause, tuning.gather_s)
        return pause
