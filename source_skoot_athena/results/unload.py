"""UNLOAD results: Parquet files listed in the manifest, streamed as record batches, deleted once read.

Files are copied to local temp files with botocore (pyarrow's S3 filesystem ignores AWS_ENDPOINT_URL) in ranged
parts, footer first, and decoded while the parts arrive; the next file is fetched while the current one is
decoded (results/ranged_copy.py). No file is held in memory, and the local copy is read in `READ_BUFFER_BYTES`
ranges with pre-buffering off, so memory does not grow with the size of a file or of a row group: Athena decides
both.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from source_skoot_athena.aws import aws_call, raise_delete_errors
from source_skoot_athena.pipeline import RunAhead
from source_skoot_athena.results import PARQUET, split_s3_uri
from source_skoot_athena.results.copy_reader import CopyReader
from source_skoot_athena.results.ranged_copy import RangedCopies

# Batches are sized by bytes, not rows, so a wide table does not hold wider chunks in memory: about 512 KB of
# decoded Arrow data per batch (≈1.3 MB of RECORD lines), between 1,024 and 65,536 rows. What led here, at 1M rows
# × 50 columns: fixed 32,768-row batches peaked at 651 MB RSS, 8,192-row ones at 499 MB (same wall time). At
# 1M × 10, the read path in one process (decode thread, encoder, writer) added 90 MB to the peak with 1 MB
# batches, 69-72 MB with 512 KB ones for the same CPU seconds, 58-62 MB with 256 KB ones for ~10% more CPU
# (docs/benchmarks-notes.md).
BATCH_BYTES = 512 << 10
MIN_BATCH_ROWS = 1024
MAX_BATCH_ROWS = 65_536
# Each column chunk is read through a buffer of this size (pyarrow's buffered stream) instead of whole, and
# `pre_buffer` (which reads a row group's column chunks into memory up front) is off: with one 1M-row row group,
# whole column chunks cost 40 MB more than 128 KiB buffers, 1 MiB buffers 12 MB more.
READ_BUFFER_BYTES = 128 << 10
# Fetched first, together, for the first batch of a file (`first_pages`): a batch of 65,536 rows of a 2.5M-row
# file of one row group reads ≈ 0.3 MB of each ≈ 10 MB column chunk.
FIRST_PAGES_BYTES = 1 << 20
# Decoded batches waiting for the encoder. Decoding runs on its own thread and is several times faster than
# encoding, so one is enough.
DECODE_AHEAD = 1
# pyarrow's own decoding threads on top of that one. With the CDK imported (≈50 MB of it), 5M × 10 measured
# 2.2x/2.9x the floor's streaming rate without them and 3.4x/4.1x with them (262k-row / 2.5M-row files), but
# 263-283 MB peak RSS with them. `read` no longer imports the CDK (issue 17): at 1M × 10 (load 4-6, 3 pairs of
# medians of 2) 227-236 MB with them, 205-208 MB without, streaming rates within the noise of each other (2.3-3.1x).
# On: the read stays under 256 MB and gets the rate they gave at 5M (docs/benchmarks.md, issue 17).
DECODE_THREADS = True


def batch_rows(parquet: pq.ParquetFile) -> int:
    """Rows per batch for this file, from its first row group's decoded size per row."""
    metadata = parquet.metadata
    if metadata.num_row_groups == 0 or metadata.row_group(0).num_rows == 0:
        return MAX_BATCH_ROWS
    group = metadata.row_group(0)
    bytes_per_row = max(1, group.total_byte_size // group.num_rows)
    return max(MIN_BATCH_ROWS, min(MAX_BATCH_ROWS, BATCH_BYTES // bytes_per_row))


def first_pages(metadata: pq.FileMetaData) -> list[tuple[int, int]]:
    """The byte ranges the first batch reads: the first `FIRST_PAGES_BYTES` of each column chunk of row group 0.

    Why: pyarrow reads a file object under a lock, so the column chunks' first reads, each waiting for its
    bytes, would be fetched one after the other; asked for together, they are fetched in parallel.
    """
    if metadata.num_row_groups == 0:
        return []
    group = metadata.row_group(0)
    ranges = []
    for index in range(group.num_columns):
        chunk = group.column(index)
        start = chunk.data_page_offset
        if chunk.has_dictionary_page and chunk.dictionary_page_offset:
            start = min(start, chunk.dictionary_page_offset)
        ranges.append((start, start + min(chunk.total_compressed_size, FIRST_PAGES_BYTES)))
    return ranges


MANIFEST_SUFFIX = "-manifest.csv"  # Athena's `<query id>-manifest.csv`, next to `<query id>.metadata`


def file_batches(local: Path | BinaryIO | CopyReader) -> Iterator[pa.RecordBatch]:
    """The record batches of a local Parquet file, read in small buffered ranges (never a whole row group)."""
    parquet = pq.ParquetFile(local, buffer_size=READ_BUFFER_BYTES, pre_buffer=False, coerce_int96_timestamp_unit="us")
    if isinstance(local, CopyReader):
        local.prefetch(first_pages(parquet.metadata))
    try:
        yield from parquet.iter_batches(batch_size=batch_rows(parquet), use_threads=DECODE_THREADS)
    finally:
        parquet.close()


class UnloadResult:
    """The Parquet files an UNLOAD wrote under `prefix`, as listed by its manifest."""

    path = PARQUET

    def __init__(self, s3: Any, manifest_location: str | None, prefix: str) -> None:
        self._s3 = s3
        self._manifest_location = manifest_location
        self._prefix = prefix
        self._files: list[str] | None = None

    def files(self) -> list[str]:
        """The data files: from the manifest when Athena wrote one, else the objects under the prefix."""
        if self._files is None:
            if self._manifest_location:
                bucket, key = split_s3_uri(self._manifest_location)
                with aws_call("s3:GetObject", what=self._manifest_location):
                    body = self._s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
                self._files = [line.strip() for line in body.splitlines() if line.strip()]
            else:
                self._files = self._list_prefix()
        return self._files

    def _list_prefix(self) -> list[str]:
        bucket, key = split_s3_uri(self._prefix)
        uris: list[str] = []
        with aws_call("s3:ListBucket", what=self._prefix):
            for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=key):
                uris.extend(f"s3://{bucket}/{obj['Key']}" for obj in page.get("Contents", []))
        return sorted(uris)

    def batches(self) -> Iterator[pa.RecordBatch]:
        """Decoded on a thread of their own, so decoding overlaps the encoding of the batches before."""
        yield from RunAhead(self._decoded_batches(), depth=DECODE_AHEAD)

    def _decoded_batches(self) -> Iterator[pa.RecordBatch]:
        files = self.files()
        if not files:
            return
        with (
            tempfile.TemporaryDirectory(prefix="skoot-unload-") as directory,
            RangedCopies(self._s3, files, directory) as copies,
        ):
            for index in range(len(files)):
                with copies.reader(index) as local:
                    yield from file_batches(local)

    def cleanup(self) -> None:
        """Delete the data files, the manifest and the metadata file (DeleteObject: SkootAthenaResultsS3)."""
        uris = list(self.files())
        if self._manifest_location:
            uris.append(self._manifest_location)
            if self._manifest_location.endswith(MANIFEST_SUFFIX):  # and `<id>.metadata` beside it (UNLOAD docs)
                uris.append(self._manifest_location.removesuffix(MANIFEST_SUFFIX) + ".metadata")
        by_bucket: dict[str, list[str]] = {}
        for uri in uris:
            bucket, key = split_s3_uri(uri)
            by_bucket.setdefault(bucket, []).append(key)
        for bucket, keys in by_bucket.items():
            for start in range(0, len(keys), 1000):
                chunk = keys[start : start + 1000]
                with aws_call("s3:DeleteObject", what=f"s3://{bucket}/"):
                    response = self._s3.delete_objects(
                        Bucket=bucket, Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True}
                    )
                raise_delete_errors(response, bucket)
