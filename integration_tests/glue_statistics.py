"""Glue partition statistics set the way a crawler or `ANALYZE` leaves them, so slicing.py's cost-sized slices have
a known shape in tests (slices sized by Glue's `totalSize`: see source_skoot_athena/slicing.py)."""

from __future__ import annotations

from local_athena import LocalAthena
from source_skoot_athena.slicing import SLICE_TARGET_BYTES


def size_partitions(athena: LocalAthena, database: str, table: str, values: list[str], per_slice: int = 20) -> None:
    """Glue `totalSize` of 1/per_slice of a slice on each partition: slicing.py puts `per_slice` partitions a slice."""
    glue = athena.client("glue")
    for value in values:
        partition = glue.get_partition(DatabaseName=database, TableName=table, PartitionValues=[value])["Partition"]
        glue.update_partition(
            DatabaseName=database,
            TableName=table,
            PartitionValueList=[value],
            PartitionInput={
                "Values": partition["Values"],
                "StorageDescriptor": partition["StorageDescriptor"],
                "Parameters": {**partition.get("Parameters", {}), "totalSize": str(SLICE_TARGET_BYTES // per_slice)},
            },
        )
