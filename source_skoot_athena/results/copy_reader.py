"""A read-only file object over a local copy whose bytes may still be arriving.

Why: pyarrow's ParquetFile reads any file-like object (seek/tell/read); each read here first waits until its
byte range is in the local copy (`wait_for`, which also makes the missing parts urgent), then reads it with
`os.pread`, so decoding starts as soon as the footer and the first pages are there, not after the whole file.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable


class CopyReader(io.RawIOBase):
    """Bytes [0, size) of the file `fd`; `wait_for(start, stop)` returns once that range is written."""

    def __init__(
        self,
        fd: int,
        size: int,
        wait_for: Callable[[int, int], None],
        prefetch: Callable[[list[tuple[int, int]]], None],
    ) -> None:
        super().__init__()
        self._fd = fd
        self._size = size
        self._wait_for = wait_for
        self.prefetch = prefetch  # [(start, stop), ...]: fetch these bytes next, without waiting for them
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError(f"negative seek position {base + offset}")
        self._position = base + offset
        return self._position

    def size(self) -> int:
        return self._size

    def read(self, size: int | None = -1) -> bytes:
        """Up to `size` bytes (all the rest when negative), once they are written; b"" at the end."""
        stop = self._size if size is None or size < 0 else min(self._size, self._position + size)
        if stop <= self._position:
            return b""
        self._wait_for(self._position, stop)
        data = os.pread(self._fd, stop - self._position, self._position)
        self._position += len(data)
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
