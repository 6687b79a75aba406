"""Set-up of lake table formats in the stand-in: Delta Lake, Iceberg and Hudi tables with their logs/metadata.

Why: tests build each kind the way its writer leaves Glue and S3 (delta_tables, iceberg_tables, hudi_writer); apart from
``CatalogSetup`` so that each class stays small.
"""

from __future__ import annotations

import pyarrow as pa

from . import delta_tables, hudi_writer, iceberg_tables


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
    ) -> str:
        """A Delta Lake table (log commit 0) registered in Glue as Athena or Spark leaves it; returns its location
        (for ``commit_delta``)."""
        return delta_tables.put_delta_table(
            self.region, database, table, data, partition_keys=partition_keys, spark_placeholder=spark_placeholder
        )

    def commit_delta(
        self, location: str, data: pa.Table, partition_keys: list[str] | None = None, *, overwrite: bool = False
    ) -> int:
        """A new Delta commit adding ``data`` (``overwrite``: removing every live file first); its version."""
        return delta_tables.commit_delta(location, data, list(partition_keys or []), overwrite=overwrite)

    def put_iceberg_table(
        self,
        database: str,
        table: str,
        data: pa.Table,
        *,
        types: dict[str, str] | None = None,
        dropped: dict[str, str] | None = None,
    ) -> None:
        """An Iceberg table registered in Glue as Iceberg's Glue catalog leaves it (iceberg_tables)."""
        iceberg_tables.put_iceberg_table(self.region, database, table, data, types=types, dropped=dropped)

    def append_iceberg(self, database: str, table: str, data: pa.Table) -> None:
        """A new Iceberg snapshot adding ``data``."""
        iceberg_tables.append_iceberg(self.region, database.lower(), table.lower(), data)

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
