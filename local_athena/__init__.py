"""Local AWS Athena stand-in: moto (S3, Glue, Athena) over real HTTP, executing SQL with DuckDB.

See README.md in this folder. Public entry point: ``LocalAthena``.
"""

from .runtime import QueryRecord
from .server import LocalAthena

__all__ = ["LocalAthena", "QueryRecord"]
