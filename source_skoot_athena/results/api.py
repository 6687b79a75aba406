"""GetQueryResults paging: the last resort, when the result location cannot be read (1000 rows a call)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from source_skoot_athena.aws import aws_call
from source_skoot_athena.results import API
from source_skoot_athena.results.text import parse_text_batch
from source_skoot_athena.types import AthenaType

PAGE_ROWS = 1000


class ApiResult:
    """Rows of one query through the Athena API; a Datum without VarCharValue is NULL, "" stays ""."""

    path = API

    def __init__(self, athena: Any, query_id: str, names: list[str], types: list[AthenaType]) -> None:
        self._athena = athena
        self._query_id = query_id
        self._names = names
        self._types = types

    def batches(self) -> Iterator[pa.RecordBatch]:
        token: str | None = None
        first_page = True
        while True:
            params: dict[str, Any] = {"QueryExecutionId": self._query_id, "MaxResults": PAGE_ROWS}
            if token:
                params["NextToken"] = token
            with aws_call("athena:GetQueryResults", what=f"query {self._query_id}"):
                response = self._athena.get_query_results(**params)
            rows = response["ResultSet"]["Rows"]
            if first_page and rows:
                rows = rows[1:]  # the header row
            first_page = False
            if rows:
                columns: list[list[str | None]] = [[] for _ in self._names]
                for row in rows:
                    for index, datum in enumerate(row["Data"]):
                        columns[index].append(datum.get("VarCharValue"))
                yield parse_text_batch(self._names, [pa.array(c, pa.string()) for c in columns], self._types)
            token = response.get("NextToken")
            if not token:
                return

    def cleanup(self) -> None:
        """Nothing of ours to delete: the result files stay with the query in Athena's history."""
