"""Set-up of the stand-in's lake: workgroups, Glue tables with their S3 files, the demo, and clean-up.

Why: tests, the demo and benchmarks build their data through these; keeping them apart from the server's
lifecycle keeps ``LocalAthena`` small. Writes go straight to moto's backends (no HTTP, no counted calls).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from moto.athena.models import athena_backends

from . import moto_state, tables
from .demo_lake import load_demo


class CatalogSetup:
    """Set-up helpers of ``LocalAthena`` (it provides ``region`` and its temp dir)."""

    region: str
    _tmpdir: str | None
    _demo_loaded: bool

    def create_workgroup(
        self,
        name: str,
        *,
        output_location: str | None,
        enforce: bool = False,
        state: str = "ENABLED",
        engine_version: str = "Athena engine version 3",
        encryption: dict[str, str] | None = None,
        expected_bucket_owner: str | None = None,
        requester_pays: bool = False,
    ) -> None:
        """Create (or replace) a workgroup with an optional result location, enforcement and state;
        ``encryption`` is its EncryptionConfiguration (``encryption.py``), e.g. ``{"EncryptionOption": "CSE_KMS"}``;
        ``requester_pays`` its RequesterPaysEnabled (``requester_pays.py``)."""
        backend = athena_backends[moto_state.ACCOUNT_ID][self.region]
        backend.work_groups.pop(name, None)
        config: dict[str, Any] = {"EnforceWorkGroupConfiguration": enforce, "RequesterPaysEnabled": requester_pays}
        if output_location:
            config["ResultConfiguration"] = {"OutputLocation": output_location}
            if encryption:
                config["ResultConfiguration"]["EncryptionConfiguration"] = encryption
            if expected_bucket_owner:
                config["ResultConfiguration"]["ExpectedBucketOwner"] = expected_bucket_owner
            bucket, _ = moto_state.split_s3_url(output_location)
            moto_state.ensure_bucket(bucket, self.region)
        wg = backend.create_work_group(name, config, f"{name} (local stand-in)", [])
        assert wg is not None
        wg.state = state
        wg.creation_time = time.time()  # type: ignore[attr-defined]
        wg.engine_version = engine_version  # type: ignore[attr-defined]

    def put_table(
        self,
        database: str,
        table: str,
        data: pa.Table,
        *,
        partition_keys: list[str] | None = None,
        glue_types: dict[str, str] | None = None,
        fmt: str = "parquet",
        bucket: str = "skoot-data-demo",
        table_type: str = "EXTERNAL_TABLE",
        parameters: dict[str, str] | None = None,
        comments: dict[str, str] | None = None,
        register_partitions: bool = True,
        view_sql: str | None = None,
    ) -> None:
        """Write rows under ``s3://bucket/database/table/[k=v/]part-*`` and register the Glue table/partitions."""
        tables.put_table(
            self.region,
            database,
            table,
            data,
            partition_keys=partition_keys,
            glue_types=glue_types,
            fmt=fmt,
            bucket=bucket,
            table_type=table_type,
            parameters=parameters,
            comments=comments,
            register_partitions=register_partitions,
            view_sql=view_sql,
            tmp_root=self._tmpdir,
        )

    def drop_database(self, database: str) -> None:
        """Delete a Glue database with its tables' S3 objects (tests clean up what they created)."""
        tables.drop_database(self.region, database)

    def delete_workgroup(self, name: str) -> None:
        """Delete a workgroup (no error if missing)."""
        athena_backends[moto_state.ACCOUNT_ID][self.region].work_groups.pop(name, None)

    def _catalog_names(self) -> tuple[set[str], set[str]]:
        """(Glue databases, workgroups) now."""
        return (
            set(moto_state.list_databases(self.region)),
            set(athena_backends[moto_state.ACCOUNT_ID][self.region].work_groups),
        )

    @contextlib.contextmanager
    def sandbox(self) -> Iterator[CatalogSetup]:
        """Glue databases (with their tables' S3 objects) and workgroups created inside the block are removed
        after it: the one clean-up for tests, modules and fixtures that share the session's stand-in."""
        databases, workgroups = self._catalog_names()
        try:
            yield self
        finally:
            new_databases, new_workgroups = self._catalog_names()
            for name in new_databases - databases:
                self.drop_database(name)
            for name in new_workgroups - workgroups:
                self.delete_workgroup(name)

    def append_rows(self, database: str, table: str, data: pa.Table) -> None:
        """Add files with ``data`` to an existing table (registering new partitions)."""
        tables.append_rows(self.region, database, table, data, tmp_root=self._tmpdir)

    def load_demo(self) -> None:
        """Load the setup guide's demo account (idempotent)."""
        if self._demo_loaded:
            return
        load_demo(self)
        self._demo_loaded = True
