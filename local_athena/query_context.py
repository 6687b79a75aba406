"""What the engine and its table resolver share: the prepared query, and what the resolver asks of the engine.

Why: the engine creates a resolver for each query, and the resolver fills the engine's ``Prepared`` and reads
through the engine's Glue lookups and caches; with these types here (the engine as a Protocol) the resolver's
modules need not import the engine, which imports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import duckdb

from . import moto_state

if TYPE_CHECKING:
    from .lake_formation import LakeFormation
    from .scanned_bytes import ParquetColumnBytes


@dataclass
class Prepared:
    """A query ready to run: DuckDB SQL on a connection whose views point at the table files."""

    conn: duckdb.DuckDBPyConnection
    sql: str
    scanned_bytes: int = 0
    files_read: list[str] = field(default_factory=list)


class CatalogEngine(Protocol):
    """What resolving a query's tables needs of ``engine.Engine``: its Glue lookups, local file copies and billing."""

    region: str
    account_id: str
    cache: moto_state.LocalFileCache
    column_bytes: ParquetColumnBytes
    lake_formation: LakeFormation | None

    def table_info(self, database: str, table: str) -> moto_state.TableInfo | None:
        """The Glue table of that name (as ``engine.Engine.table_info`` finds it), None if there is none."""
        ...

    def table_info_db_missing(self, database: str) -> bool:
        """True if the Glue database of that name does not exist."""
        ...
