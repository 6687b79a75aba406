"""Keep the read's memory flat: freed buffers go back to the OS instead of staying in per-thread heaps.

Measured on 1M rows × 10 columns through the CLI when this was written (peak RSS; README "Performance" has the
current figures): 386 MB with pyarrow's default mimalloc pool and glibc's defaults, 288–294 MB with pyarrow's
system pool and a fixed 1 MiB mmap threshold, same wall time. The read
path allocates chunk-sized blocks (encoded lines, decoded row groups) on one thread and frees them on another,
which per-thread caching allocators hold on to.

pyarrow also imports pandas (≈ 57 MB RSS, ≈ 1 s of CPU) the first time a Python value becomes an Arrow value,
only to ask whether it is a pandas object; the read path has none, so that probe is answered without pandas.
"""

from __future__ import annotations

import ctypes
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType

import pyarrow as pa
import pyarrow.lib

M_MMAP_THRESHOLD = -3  # glibc mallopt() parameters (malloc.h)
M_ARENA_MAX = -8
MMAP_THRESHOLD_BYTES = 1 << 20
ARENA_MAX = 2


class _NoPandas(importlib.abc.MetaPathFinder):
    """An import finder that makes `import pandas` fail (installed only while pyarrow's probes run)."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname == "pandas" or fullname.startswith("pandas."):
            raise ImportError("pandas is not used on the read path")
        return None


def answer_pandas_probes_without_pandas() -> None:
    """Run pyarrow's one-time "is pandas there?" probes (its Cython shim, and the C++ converter's) while pandas
    cannot be imported, so they record "no pandas" and never import it for a scalar or a list. Code that really
    uses pandas (`to_pandas`, `pa.array(series)` after `import pandas`) still imports it when it does."""
    if "pandas" in sys.modules:
        return
    blocker = _NoPandas()
    sys.meta_path.insert(0, blocker)
    try:
        _ = pyarrow.lib._pandas_api.have_pandas
        pa.array(["", None], pa.string())
        pa.array([1.5, None])  # type inference: the C++ converter's own one-time pandas import
        pa.scalar(None, pa.string())
    finally:
        sys.meta_path.remove(blocker)


def release_memory_promptly() -> None:
    """Use pyarrow's system allocator, make glibc return large blocks to the OS when they are freed, and keep
    pandas out of the process."""
    answer_pandas_probes_without_pandas()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        # The process's own symbols, libc's among them: `ctypes.util.find_library` would fork `ldconfig -p` from a
        # process of ≈ 100 MB while the first query runs (seen with strace, ≈ 5-10 ms of the 2 cores).
        libc = ctypes.CDLL(None)
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
        libc.mallopt(M_ARENA_MAX, ARENA_MAX)
    except (OSError, AttributeError):  # not glibc (musl, macOS): the system pool alone still helps
        return
