"""The stand-in runs Trino's `transform_values` / `transform_keys` (local_athena/map_transforms.py) as Athena does:
each entry through the lambda (k, v), NULL values passed to it, a NULL map staying NULL, an empty one empty."""

from __future__ import annotations

from local_athena import LocalAthena
from local_athena.testing import all_rows, run


def _values(athena: LocalAthena, sql: str) -> list[str | None]:
    client = athena.client("athena")
    qe = run(client, sql)
    assert qe["Status"]["State"] == "SUCCEEDED", qe["Status"]
    (row,) = all_rows(client, qe["QueryExecutionId"])[1:]
    return row


def test_transform_values_and_keys(athena: LocalAthena) -> None:
    m = "MAP(ARRAY['a', 'b'], ARRAY[1, NULL])"
    sql = (
        f"SELECT json_format(CAST(transform_values({m}, (k, v) -> coalesce(v, 0) * 10 + length(k)) AS JSON)), "
        f"json_format(CAST(transform_keys({m}, (k, v) -> upper(k) || CAST(coalesce(v, 0) AS varchar)) AS JSON)), "
        "transform_values(CAST(NULL AS map(varchar, integer)), (k, v) -> v), "
        "json_format(CAST(transform_values(CAST(MAP(ARRAY[], ARRAY[]) AS map(varchar, integer)), (k, v) -> v) AS JSON))"
    )
    assert _values(athena, sql) == ['{"a":11,"b":1}', '{"A1":1,"B0":null}', None, "{}"]


def test_nested_transform_values(athena: LocalAthena) -> None:
    sql = (
        "SELECT json_format(CAST(transform_values(MAP(ARRAY['a'], ARRAY[MAP(ARRAY['x'], ARRAY[2])]), "
        "(k, v) -> transform_values(v, (k2, w) -> w * 10)) AS JSON))"
    )
    assert _values(athena, sql) == ['{"a":{"x":20}}']
