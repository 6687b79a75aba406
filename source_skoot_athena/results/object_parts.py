"""Which bytes of an object's local copy have arrived, block by block, and which run of blocks to fetch next.

Why a plan of its own: the reader must never see bytes that are not written yet, and the bytes a blocked read
needs must jump the queue; keeping that bookkeeping apart from threads and S3 makes it small enough to test
exhaustively. Coverage is kept per block (small: a read waits only for the blocks it touches), fetching per run
of up to `blocks_per_part` unclaimed blocks (large: one GET each), and an urgent run starts at the block a read
needs, not at a part boundary: a column chunk that starts mid-part is fetched from its start. Not thread-safe by
itself: `ranged_copy.RangedCopies` guards it with its condition.
"""

from __future__ import annotations

from collections import deque

Run = tuple[int, int]  # (first block, number of blocks): the bytes of one GetObject


class PartPlan:
    """Bytes [0, end) of an object in blocks of `block_bytes`: how much of each is written, which are claimed.

    Bytes from `end` to the object's size (its footer) are fetched apart, before the plan exists.
    """

    def __init__(self, end: int, block_bytes: int, blocks_per_part: int, urgent_blocks: int | None = None) -> None:
        if block_bytes <= 0 or blocks_per_part <= 0:
            raise ValueError(f"block size and blocks per part must be positive, got {block_bytes}, {blocks_per_part}")
        self.end = end
        self.block_bytes = block_bytes
        self.blocks_per_part = blocks_per_part
        self.urgent_blocks = max(1, min(urgent_blocks or blocks_per_part, blocks_per_part))
        self.count = -(-end // block_bytes)
        self._filled = [0] * self.count
        self._claimed = [False] * self.count
        self._urgent: deque[int] = deque()
        self._soon: deque[int] = deque()  # read-ahead: after the urgent blocks, before the in-order ones
        self._next = 0

    def span(self, run: Run) -> tuple[int, int]:
        """[start, stop) of a run of blocks."""
        first, blocks = run
        return first * self.block_bytes, min((first + blocks) * self.block_bytes, self.end)

    def _blocks_of(self, start: int, stop: int) -> range:
        stop = min(stop, self.end)
        if start >= stop:
            return range(0)
        return range(start // self.block_bytes, (stop - 1) // self.block_bytes + 1)

    def covered(self, start: int, stop: int) -> bool:
        """Whether every byte of [start, stop) below `end` is written (bytes from `end` on always are)."""
        stop = min(stop, self.end)
        for block in self._blocks_of(start, stop):
            block_start = block * self.block_bytes
            if block_start + self._filled[block] < min(stop, block_start + self.block_bytes, self.end):
                return False
        return True

    def make_urgent(self, start: int, stop: int) -> bool:
        """Queue the unclaimed blocks of [start, stop) ahead of the in-order ones; whether any was queued."""
        queued = False
        for block in self._blocks_of(start, stop):
            if not self._claimed[block] and block not in self._urgent:
                self._urgent.append(block)
                queued = True
        return queued

    def read_ahead(self, start: int, stop: int) -> bool:
        """Queue the unclaimed blocks of [start, stop) after the urgent ones (a sequential reader needs them next);
        whether any was queued."""
        queued = False
        for block in self._blocks_of(start, stop):
            if not self._claimed[block] and block not in self._soon and block not in self._urgent:
                self._soon.append(block)
                queued = True
        return queued

    def take_urgent(self) -> Run | None:
        """Claim a run from the oldest urgent block still unclaimed (up to `urgent_blocks`: a read waits for its
        first bytes), else from the oldest read-ahead block (a part's worth: fewer requests)."""
        for queue, most in ((self._urgent, self.urgent_blocks), (self._soon, self.blocks_per_part)):
            while queue:
                block = queue.popleft()
                if not self._claimed[block]:
                    return self._claim(block, most)
        return None

    def take_next(self) -> Run | None:
        """Claim a run from the first unclaimed block in file order, if any."""
        block = self._first_unclaimed()
        return None if block is None else self._claim(block, self.blocks_per_part)

    def all_claimed(self) -> bool:
        """Every block is fetched or being fetched."""
        return self._first_unclaimed() is None

    def written(self, run: Run, written: int) -> None:
        """The first `written` bytes of `run` are in the local copy."""
        first, blocks = run
        for block in range(first, first + blocks):
            self._filled[block] = max(0, min(self.block_bytes, written - (block - first) * self.block_bytes))

    def _first_unclaimed(self) -> int | None:
        while self._next < self.count and self._claimed[self._next]:
            self._next += 1
        return None if self._next == self.count else self._next

    def _claim(self, first: int, most: int) -> Run:
        """Claim `first` and the unclaimed blocks right after it, `most` blocks at most."""
        stop = first
        while stop < min(self.count, first + most) and not self._claimed[stop]:
            self._claimed[stop] = True
            stop += 1
        return first, stop - first
