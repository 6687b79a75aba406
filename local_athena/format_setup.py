"""Set-up of lake table formats in the stand-in: Delta Lake, Iceberg and Hudi tables with their logs/metadata.

Why: tests build each kind the way its writer leaves Glue and S3 (delta_tables, iceberg_tables, hudi_writer); apart from
``CatalogSetup`` so that each class stays small.
"""

from __future__ import annotations

import pyarrow as pa

from . import delta_checkpoints, delta_tables, hudi_writer, iceberg_commits, iceberg_tables


class FormatSetup:
    """Lake-format set-up helpers of ``LocalAthena`` (it provides ``region``)."""

    region: str

    def put_delta_table(
        self,
        database: str,
        table: str,
        data: pa.Table,
        *,
        partition_keys: list[str] | None = None,
        spark_placeholder: bool = False,
        stated_bytes: int | None = None,
    ) -> str:
        """A Delta Lake table (log commit 0) registered in Glue as Athena or Spark leaves it; returns its location
        (for ``commit_delta``). ``stated_bytes``: the file size its `add` actions state."""
        return delta_tables.put_delta_table(
            self.region,
            database,
            table,
            data,
            partition_keys=partition_keys,
            spark_placeholder=spark_placeholder,
            stated_bytes=stated_bytes,
        )

    def commit_delta(
        self,
        location: str,
        data: pa.Table,
        partition_keys: list[str] | None = None,
        *,
        overwrite: bool = False,
        stated_bytes: int | None = None,
    ) -> int:
        """A new Delta commit adding ``data`` (``overwrite``: removing every live file first); its version."""
        return delta_tables.commit_delta(
            location, data, list(partition_keys or []), overwrite=overwrite, stated_bytes=stated_bytes
        )

    def checkpoint_delta(self, location: str, *, cleanup: bool = False) -> int:
        """A Delta checkpoint at the latest version (``cleanup``: the commits it covers deleted); its version."""
        return delta_checkpoints.write_checkpoint(location, cleanup=cleanup)

    def put_iceberg_table(
        self,
        database: str,
        table: str,
        data: pa.Table,
        *,
        types: dict[str, str] | None = None,
        dropped: dict[str, str] | None = None,
        stated_bytes: int | None = None,
    ) -> None:
        """An Iceberg table registered in Glue as Iceberg's Glue catalog leaves it (iceberg_tables); its manifest
        states ``stated_bytes`` as the data file's size when given."""
        iceberg_tables.put_iceberg_table(
            self.region, database, table, data, types=types, dropped=dropped, stated_bytes=stated_bytes
        )

    def append_iceberg(self, database: str, table: str, data: pa.Table, *, stated_bytes: int | None = None) -> None:
        """A new Iceberg snapshot adding ``data`` (its file's size stated as ``stated_bytes`` when given)."""
        iceberg_tables.append_iceberg(self.region, database.lower(), table.lower(), data, stated_bytes=stated_bytes)

    def compact_iceberg(self, database: str, table: str) -> None:
        """A compaction: every live row rewritten into one new data file (iceberg_commits)."""
        iceberg_commits.compact_iceberg(self.region, database, table)

    def expire_iceberg_snapshots(self, database: str, table: str) -> None:
        """expire_snapshots: every snapshot but the current one removed (iceberg_commits)."""
        iceberg_commits.expire_snapshots(self.region, database, table)

    def put_hudi_table(
        self,
        database: str,
        table: str,
        data: pa.Table,
        *,
        record_key: str,
        partition_keys: list[str] | None = None,
        table_type: str = hudi_writer.COPY_ON_WRITE,
        sync_as_datasource: bool = True,
    ) -> str:
        """A Hudi table (first commit) synced to Glue as Hudi's hive-sync leaves it (hudi_writer: one Glue table
        for copy-on-write, `<table>_ro` and `<table>_rt` for ``table_type="MERGE_ON_READ"``); its instant."""
        return hudi_writer.put_hudi_table(
            self.region,
            database,
            table,
            data,
            record_key=record_key,
            partition_keys=partition_keys,
            table_type=table_type,
            sync_as_datasource=sync_as_datasource,
        )

    def commit_hudi(
        self,
        database: str,
        table: str,
        data: pa.Table,
        *,
        delete_keys: list[object] | None = None,
        complete: bool = True,
    ) -> str:
        """Upsert ``data`` (delete ``delete_keys``) as a new instant, left inflight unless ``complete``."""
        return hudi_writer.commit_hudi(self.region, database, table, data, delete_keys=delete_keys, complete=complete)
