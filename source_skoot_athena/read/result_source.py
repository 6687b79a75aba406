"""Which reader fetches a finished query's rows: the UNLOAD files, the result CSV, or GetQueryResults.

The result CSV needs s3:GetObject on the results bucket; a HeadObject probe tells whether we have it. A denial
selects GetQueryResults (much slower), and so does a result file that is client-side encrypted (CSE_KMS: its
metadata carries the S3 Encryption Client's envelope, x-amz-key-v2 or x-amz-key, and its bytes are ciphertext:
https://docs.aws.amazon.com/amazon-s3-encryption-client/latest/developerguide/concepts.html); any other S3 error
fails the stream.
"""

from __future__ import annotations

import logging
from typing import Any

import botocore.exceptions

from source_skoot_athena.aws import DENIED_CODES, AwsClients, describe_error, error_code
from source_skoot_athena.errors import UserError
from source_skoot_athena.read.slice_query import SliceQuery
from source_skoot_athena.results import ResultReader, split_s3_uri
from source_skoot_athena.results.api import ApiResult
from source_skoot_athena.results.csv import CsvResult
from source_skoot_athena.results.unload import UnloadResult
from source_skoot_athena.stream_plan import StreamPlan
from source_skoot_athena.types import ReadPath


def open_reader(clients: AwsClients, plan: StreamPlan, query: SliceQuery, logger: logging.Logger) -> ResultReader:
    """The reader for a slice's finished query (columns c0, c1, … in the plan's order)."""
    if query.path == ReadPath.PARQUET:
        assert query.unload_prefix is not None
        s3 = clients.s3_for(split_s3_uri(query.unload_prefix)[0])
        return UnloadResult(s3, query.finished.manifest_location, query.unload_prefix)
    names = [f"c{i}" for i in range(len(plan.columns))]
    types = [c.type for c in plan.columns]
    location = query.finished.output_location
    s3 = clients.s3_for(split_s3_uri(location)[0]) if location else clients.s3  # the results bucket's Region
    access = result_access(s3, location) if location else DENIED
    if access == READABLE:
        return CsvResult(s3, location or "", names, types)
    if access == DENIED:
        logger.warning(
            f"The query results at {location} cannot be read (s3:GetObject on the results bucket: statement "
            "SkootAthenaResultsS3); paging through GetQueryResults instead, which is much slower."
        )
    return ApiResult(clients.athena, query.finished.query_id, names, types)


READABLE, DENIED, CLIENT_SIDE_ENCRYPTED = "readable", "denied", "client-side encrypted"
# User metadata of an S3 Encryption Client object (v2 and v1 envelopes).
ENVELOPE_KEYS = ("x-amz-key-v2", "x-amz-key")


def result_access(s3: Any, location: str) -> str:
    """HeadObject on the result CSV: READABLE, DENIED (the results bucket cannot be read) or CLIENT_SIDE_ENCRYPTED;
    the last two mean GetQueryResults."""
    bucket, key = split_s3_uri(location)
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except botocore.exceptions.ClientError as exc:
        # Only a denial means "use GetQueryResults"; anything else (after botocore's retries) is an error.
        if error_code(exc) in DENIED_CODES:
            return DENIED
        raise describe_error(exc, "s3:GetObject", what=location) from None
    metadata = {name.lower() for name in head.get("Metadata") or {}}
    return CLIENT_SIDE_ENCRYPTED if metadata.intersection(ENVELOPE_KEYS) else READABLE


def clean_up(reader: ResultReader, logger: logging.Logger) -> None:
    """Delete the result files once written (or abandoned); a failed delete is a warning, not a failed sync."""
    try:
        reader.cleanup()
    except UserError as exc:
        logger.warning(f"Could not delete query result files: {exc.message}")
