"""One peer reading one query's result and writing every row as a JSON line to stdout (run in bench/.venv-peers).

    bench/.venv-peers/bin/python bench/peer.py KIND SQL --database D --workgroup W --staging S3URL --region R

KIND: pyathena (default cursor, GetQueryResults paging, what Singer's tap-athena uses), pyathena_arrow
(ArrowCursor, result CSV), pyathena_arrow_unload (ArrowCursor ``unload=True``), wrangler_csv
(``awswrangler.athena.read_sql_query`` with ``ctas_approach=False``), wrangler_unload (the same with
``unload_approach=True``). Endpoints come from ``AWS_ENDPOINT_URL`` (boto3 honours it); PyAthena's Arrow cursors
read S3 through ``pyarrow.fs.S3FileSystem``, which ignores that variable (apache/arrow#49643) and which PyAthena
builds without an endpoint setting, so the one change made to a peer is that filesystem's ``endpoint_override``.
Rows go out with orjson (``default=str``) so that every peer pays the same, cheapest JSON cost. Prints
``rows=N`` on stderr. This file imports nothing from the project: the peers venv has only PyPI packages.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from typing import Any

import orjson

OPTION = orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS


def write_dicts(rows: Iterable[dict[str, Any]]) -> int:
    """One orjson line per row straight into stdout's buffered writer (holding many of orjson's outputs at once
    costs ~8 KB each in RSS)."""
    write = sys.stdout.buffer.write
    count = 0
    for row in rows:
        write(orjson.dumps(row, default=str, option=OPTION))
        count += 1
    sys.stdout.buffer.flush()
    return count


def _patch_pyarrow_endpoint() -> None:
    """Give PyAthena's pyarrow S3FileSystem the endpoint boto3 uses (it has no setting of its own for it)."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        return
    from pyarrow import fs
    from pyathena.arrow import result_set

    reader = result_set.AthenaArrowResultSetMetadataReader
    original = reader._create_s3_file_system

    def create(self: Any) -> Any:
        made = original(self)
        scheme, _, host = endpoint.partition("://")
        return fs.S3FileSystem(
            access_key=os.environ.get("AWS_ACCESS_KEY_ID"),
            secret_key=os.environ.get("AWS_SECRET_ACCESS_KEY"),
            region=made.region,
            endpoint_override=host,
            scheme=scheme,
        )

    reader._create_s3_file_system = create


def run_pyathena(args: argparse.Namespace) -> int:
    from pyathena import connect

    cursor = connect(
        s3_staging_dir=args.staging, region_name=args.region, work_group=args.workgroup, schema_name=args.database
    ).cursor()
    cursor.execute(args.sql)
    names = [d[0] for d in cursor.description or []]
    return write_dicts(dict(zip(names, row, strict=True)) for row in cursor)


def run_pyathena_arrow(args: argparse.Namespace, unload: bool) -> int:
    from pyathena import connect
    from pyathena.arrow.cursor import ArrowCursor

    _patch_pyarrow_endpoint()
    cursor = connect(
        s3_staging_dir=args.staging,
        region_name=args.region,
        work_group=args.workgroup,
        schema_name=args.database,
        cursor_class=ArrowCursor,
        cursor_kwargs={"unload": unload},
    ).cursor()
    table = cursor.execute(args.sql).as_arrow()
    return write_dicts(row for batch in table.to_batches(max_chunksize=65_536) for row in batch.to_pylist())


def run_wrangler(args: argparse.Namespace, unload: bool) -> int:
    import awswrangler as wr

    frames = wr.athena.read_sql_query(
        args.sql,
        database=args.database,
        workgroup=args.workgroup,
        ctas_approach=False,
        unload_approach=unload,
        s3_output=args.staging + ("wrangler-unload/" if unload else ""),
        chunksize=True,
        keep_files=False,
    )
    if not isinstance(frames, Iterable) or hasattr(frames, "columns"):
        frames = [frames]
    return write_dicts(row for frame in frames for row in frame.to_dict("records"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind")
    parser.add_argument("sql")
    parser.add_argument("--database", required=True)
    parser.add_argument("--workgroup", required=True)
    parser.add_argument("--staging", required=True)
    parser.add_argument("--region", required=True)
    args = parser.parse_args()
    runners = {
        "pyathena": lambda: run_pyathena(args),
        "pyathena_arrow": lambda: run_pyathena_arrow(args, unload=False),
        "pyathena_arrow_unload": lambda: run_pyathena_arrow(args, unload=True),
        "wrangler_csv": lambda: run_wrangler(args, unload=False),
        "wrangler_unload": lambda: run_wrangler(args, unload=True),
    }
    rows = runners[args.kind]()
    print(f"rows={rows}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
