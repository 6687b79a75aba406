"""`discover` through the command line against the local stand-in (issue 4).

Each CLI call costs seconds of start-up, so one discover run checks many things: the module fixture builds one
Glue database per scenario (types, table kinds, two same-named tables), runs discover once with Scope B naming
them, and the tests below each assert on that one catalog. Scenarios that need their own run (paging, denial,
an empty catalog, hostile names) use ``athena_sandbox`` so the databases they create are dropped afterwards.
The demo database ``entertainment`` is never touched.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa
import pytest
from airbyte_protocol.models import AirbyteCatalog
from jsonschema import Draft7Validator

from integration_tests.connector import Run, assert_no_traceback, run_discover
from local_athena import LocalAthena
from source_skoot_athena.catalog import table_from_glue
from source_skoot_athena.types import Kind

TYPES_DB = "disc_types"
KINDS_DB = "disc_kinds"
TWIN_A, TWIN_B = "disc_twin_a", "disc_twin_b"
SCENARIO_DBS = [TYPES_DB, KINDS_DB, TWIN_A, TWIN_B]

SIDS = ("SkootGlueMetadataAllDatabases", "SkootGlueMetadataSelectedDatabases")

INTEGER: dict[str, Any] = {"type": ["null", "integer"]}
NUMBER: dict[str, Any] = {"type": ["null", "number"]}
STRING: dict[str, Any] = {"type": ["null", "string"]}
TIMESTAMP: dict[str, Any] = {
    "type": ["null", "string"],
    "format": "date-time",
    "airbyte_type": "timestamp_without_timezone",
}

# (column, Glue type string, the exact JSON schema expected for it)
TYPE_CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("c_boolean", "boolean", {"type": ["null", "boolean"]}),
    ("c_tinyint", "tinyint", INTEGER),
    ("c_smallint", "smallint", INTEGER),
    ("c_int", "int", INTEGER),
    ("c_integer", "integer", INTEGER),
    ("c_bigint", "bigint", INTEGER),
    ("c_float", "float", NUMBER),
    ("c_real", "real", NUMBER),
    ("c_double", "double", NUMBER),
    ("c_decimal", "decimal(10,2)", NUMBER),
    ("c_decimal_bare", "decimal", NUMBER),
    ("c_decimal_38", "decimal(38,10)", NUMBER),
    ("c_char", "char(5)", STRING),
    ("c_varchar", "varchar(20)", STRING),
    ("c_string", "string", STRING),
    ("c_date", "date", {"type": ["null", "string"], "format": "date"}),
    ("c_timestamp", "timestamp", TIMESTAMP),
    (
        "c_timestamp_tz",
        "timestamp with time zone",
        {"type": ["null", "string"], "format": "date-time", "airbyte_type": "timestamp_with_timezone"},
    ),
    ("c_time", "time", {"type": ["null", "string"], "format": "time", "airbyte_type": "time_without_timezone"}),
    ("c_binary", "binary", {"type": ["null", "string"], "contentEncoding": "base64"}),
    ("c_varbinary", "varbinary", {"type": ["null", "string"], "contentEncoding": "base64"}),
    ("c_json", "json", {}),
    ("c_array", "array<int>", {"type": ["null", "array"], "items": INTEGER}),
    ("c_map", "map<string,bigint>", {"type": ["null", "object"], "additionalProperties": INTEGER}),
    (
        "c_struct",
        "struct<x:string,y:double>",
        {"type": ["null", "object"], "properties": {"x": STRING, "y": NUMBER}},
    ),
    (
        "c_deep",
        "array<struct<a:int,b:map<string,array<decimal(10,2)>>>>",
        {
            "type": ["null", "array"],
            "items": {
                "type": ["null", "object"],
                "properties": {
                    "a": INTEGER,
                    "b": {
                        "type": ["null", "object"],
                        "additionalProperties": {"type": ["null", "array"], "items": NUMBER},
                    },
                },
            },
        },
    ),
    (
        "c_deeper",
        "map<string,array<map<int,struct<ts:timestamp,tags:array<varchar(3)>,inner:struct<d:date>>>>>",
        {
            "type": ["null", "object"],
            "additionalProperties": {
                "type": ["null", "array"],
                "items": {
                    "type": ["null", "object"],
                    "additionalProperties": {
                        "type": ["null", "object"],
                        "properties": {
                            "ts": TIMESTAMP,
                            "tags": {"type": ["null", "array"], "items": STRING},
                            "inner": {
                                "type": ["null", "object"],
                                "properties": {"d": {"type": ["null", "string"], "format": "date"}},
                            },
                        },
                    },
                },
            },
        },
    ),
    (
        "c_upper_and_spaced",
        "ARRAY< STRUCT< Name : STRING , `select` : BIGINT > >",
        {
            "type": ["null", "array"],
            "items": {"type": ["null", "object"], "properties": {"Name": STRING, "select": INTEGER}},
        },
    ),
    ("c_geometry", "geometry", STRING),
    ("c_array_of_unknown", "array<geometry>", {"type": ["null", "array"], "items": STRING}),
]
UNKNOWN_COLUMNS = ("c_geometry", "c_array_of_unknown")
TYPE_COMMENTS = {"c_int": "an int", "c_deep": 'nested "deep" — ünïcode, commas; and `ticks`'}


def glue_table(
    glue: Any,
    database: str,
    name: str,
    columns: list[tuple[str, str]],
    *,
    partition_keys: Sequence[tuple[str, str]] = (),
    table_type: str = "EXTERNAL_TABLE",
    parameters: dict[str, str] | None = None,
    comments: dict[str, str] | None = None,
    serde: str = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
    description: str | None = None,
) -> None:
    """Register a Glue table with exactly these type strings (no data: discover reads only Glue)."""
    comments = comments or {}

    def col(name: str, type_: str) -> dict[str, str]:
        return {"Name": name, "Type": type_, **({"Comment": comments[name]} if name in comments else {})}

    table_input: dict[str, Any] = {
        "Name": name,
        "TableType": table_type,
        "Parameters": parameters or {"classification": "parquet", "EXTERNAL": "TRUE"},
        "PartitionKeys": [col(n, t) for n, t in partition_keys],
        "StorageDescriptor": {
            "Columns": [col(n, t) for n, t in columns],
            "Location": f"s3://skoot-data-demo/{database}/{name}/",
            "SerdeInfo": {"SerializationLibrary": serde},
        },
    }
    if description:
        table_input["Description"] = description
    glue.create_table(DatabaseName=database, TableInput=table_input)


def create_database(glue: Any, name: str) -> None:
    glue.create_database(DatabaseInput={"Name": name})


discover = run_discover


def only_catalog(run: Run) -> dict[str, Any]:
    """The one CATALOG message (every stdout line is already protocol-validated by ``run_connector``), its
    catalog validated as an AirbyteCatalog and with JSON-Schema-valid schemas."""
    assert run.returncode == 0, run.stderr + "\n".join(run.logs)
    (message,) = run.of_type("CATALOG")
    AirbyteCatalog.model_validate(message["catalog"])
    for stream in message["catalog"]["streams"]:
        Draft7Validator.check_schema(stream["json_schema"])
    catalog: dict[str, Any] = message["catalog"]
    return catalog


def streams_by_key(catalog: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    keys = [(s.get("namespace"), s["name"]) for s in catalog["streams"]]
    assert len(keys) == len(set(keys)), f"duplicate streams: {keys}"
    return {(s["namespace"], s["name"]): s for s in catalog["streams"]}


def warnings(run: Run) -> list[str]:
    return [m["log"]["message"] for m in run.of_type("LOG") if m["log"]["level"] in ("WARN", "WARNING")]


# ---------------------------------------------------------------------------------------------------------
# One discover run over the scenario databases (Scope B)


def build_scenarios(athena: LocalAthena) -> None:
    glue = athena.client("glue")
    for name in SCENARIO_DBS:
        create_database(glue, name)

    glue_table(
        glue,
        TYPES_DB,
        "all_types",
        [(name, type_) for name, type_, _ in TYPE_CASES],
        comments=TYPE_COMMENTS,
        description="every Glue type the connector knows",
    )

    # Hive tables in several formats, with data (put_table) and without (raw Glue).
    events = pa.table(
        {
            "id": pa.array([1, 2], pa.int64()),
            "payload": pa.array(["a", "b"]),
            "dt": pa.array(["2024-01-01", "2024-01-02"]),
        }
    )
    athena.put_table(
        KINDS_DB,
        "events",
        events,
        partition_keys=["dt"],
        glue_types={"dt": "date"},
        comments={"dt": "event day", "payload": "raw payload"},
    )
    athena.put_table(KINDS_DB, "events_csv", events, partition_keys=["dt"], fmt="csv")
    athena.put_table(KINDS_DB, "events_json", events.drop(["dt"]), fmt="json")
    glue_table(
        glue,
        KINDS_DB,
        "events_orc",
        [("id", "bigint"), ("amount", "decimal(12,2)")],
        partition_keys=[("year", "int"), ("month", "int")],
        serde="org.apache.hadoop.hive.ql.io.orc.OrcSerde",
    )
    glue_table(glue, KINDS_DB, "by_ts", [("id", "bigint")], partition_keys=[("hour", "timestamp")])
    glue_table(glue, KINDS_DB, "by_region", [("id", "bigint")], partition_keys=[("region", "string")])
    glue_table(glue, KINDS_DB, "by_tstz", [("id", "bigint")], partition_keys=[("at", "timestamp with time zone")])
    # A view, as Athena registers it (Presto view encoding, VIRTUAL_VIEW).
    athena.put_table(
        KINDS_DB,
        "recent_events",
        pa.table({"id": pa.array([], pa.int64()), "payload": pa.array([], pa.string())}),
        view_sql=f"SELECT id, payload FROM {KINDS_DB}.events WHERE dt > date '2024-01-01'",
    )
    # Iceberg: Glue says only `timestamp`; Athena's Iceberg timestamps have microseconds.
    glue_table(
        glue,
        KINDS_DB,
        "ice",
        [("id", "bigint"), ("ts", "timestamp"), ("nested", "struct<at:timestamp>")],
        parameters={"table_type": "ICEBERG", "metadata_location": "s3://skoot-data-demo/ice/metadata/0.json"},
    )
    # Delta registered by Spark: Glue holds only the placeholder schema.
    glue_table(
        glue,
        KINDS_DB,
        "delta_spark",
        [("col", "array<string>")],
        parameters={"spark.sql.sources.provider": "delta", "EXTERNAL": "TRUE"},
        comments={"col": "from deserializer"},
    )
    # Delta whose Glue schema is the real one (e.g. a crawler's): described like any other table.
    glue_table(
        glue,
        KINDS_DB,
        "delta_described",
        [("id", "bigint"), ("name", "string")],
        parameters={"spark.sql.sources.provider": "delta", "EXTERNAL": "TRUE"},
    )
    # Partition projection: partitions are computed by Athena, none registered in Glue.
    glue_table(
        glue,
        KINDS_DB,
        "projected",
        [("id", "bigint"), ("value", "double")],
        partition_keys=[("day", "date")],
        parameters={
            "projection.enabled": "true",
            "projection.day.type": "date",
            "projection.day.range": "2024-01-01,NOW",
            "projection.day.format": "yyyy-MM-dd",
            "EXTERNAL": "TRUE",
        },
    )

    # The same table name in two databases, with different schemas.
    glue_table(glue, TWIN_A, "orders", [("id", "bigint"), ("amount", "decimal(10,2)")])
    glue_table(glue, TWIN_B, "orders", [("order_ref", "string"), ("placed", "date")])


@pytest.fixture(scope="module")
def scenario(local_athena: LocalAthena) -> Iterator[tuple[Run, Counter[str]]]:
    """(the discover run over the scenario databases, the AWS calls it made)."""
    athena = local_athena
    athena.faults.clear()
    with athena.sandbox():
        build_scenarios(athena)
        athena.reset_observations()
        run = discover(athena, databases=SCENARIO_DBS)
        yield run, Counter(athena.calls)


@pytest.fixture(scope="module")
def scenario_streams(scenario: tuple[Run, Counter[str]]) -> dict[tuple[str, str], dict[str, Any]]:
    return streams_by_key(only_catalog(scenario[0]))


def test_every_type_has_its_exact_json_schema(scenario_streams: dict[tuple[str, str], dict[str, Any]]) -> None:
    stream = scenario_streams[(TYPES_DB, "all_types")]
    properties = stream["json_schema"]["properties"]
    assert list(properties) == [name for name, _, _ in TYPE_CASES], "columns in Glue order"
    for name, glue_type, expected in TYPE_CASES:
        if name in TYPE_COMMENTS:
            expected = {**expected, "description": TYPE_COMMENTS[name]}
        assert properties[name] == expected, f"{name} {glue_type}"
    assert stream["json_schema"]["type"] == "object"
    assert stream["json_schema"]["description"] == "every Glue type the connector knows"
    assert stream["supported_sync_modes"] == ["full_refresh", "incremental"]
    assert stream["source_defined_cursor"] is False
    assert "source_defined_primary_key" not in stream, "Glue has no primary keys: none is invented"
    assert "default_cursor_field" not in stream


def test_unknown_types_are_strings_with_one_warning_per_column(scenario: tuple[Run, Counter[str]]) -> None:
    run, _ = scenario
    for column in UNKNOWN_COLUMNS:
        matching = [w for w in warnings(run) if f"{TYPES_DB}.all_types.{column}" in w]
        assert len(matching) == 1, (column, warnings(run))
        assert "geometry" in matching[0]
    known = [w for w in warnings(run) if f"{TYPES_DB}.all_types." in w]
    assert len(known) == len(UNKNOWN_COLUMNS), known


def test_partition_keys_are_columns_and_a_single_date_key_is_the_default_cursor(
    scenario_streams: dict[tuple[str, str], dict[str, Any]],
) -> None:
    events = scenario_streams[(KINDS_DB, "events")]
    assert events["json_schema"]["properties"] == {
        "id": INTEGER,
        "payload": {**STRING, "description": "raw payload"},
        "dt": {"type": ["null", "string"], "format": "date", "description": "event day"},
    }
    assert events["default_cursor_field"] == ["dt"]
    assert scenario_streams[(KINDS_DB, "events_csv")]["default_cursor_field"] == ["dt"]  # string named dt
    assert scenario_streams[(KINDS_DB, "by_ts")]["default_cursor_field"] == ["hour"]
    orc = scenario_streams[(KINDS_DB, "events_orc")]
    assert list(orc["json_schema"]["properties"]) == ["id", "amount", "year", "month"]
    assert "default_cursor_field" not in orc, "two partition keys: no obvious cursor"
    assert "default_cursor_field" not in scenario_streams[(KINDS_DB, "by_region")], "a region is no cursor"
    assert "default_cursor_field" not in scenario_streams[(KINDS_DB, "by_tstz")], "zoned: not a usable cursor"
    assert "default_cursor_field" not in scenario_streams[(KINDS_DB, "events_json")]


def test_views_are_streams(scenario_streams: dict[tuple[str, str], dict[str, Any]]) -> None:
    view = scenario_streams[(KINDS_DB, "recent_events")]
    assert view["json_schema"]["properties"] == {"id": INTEGER, "payload": STRING}
    assert view["supported_sync_modes"] == ["full_refresh", "incremental"]


def test_iceberg_table_is_a_stream_with_microsecond_timestamps(
    athena: LocalAthena, scenario_streams: dict[tuple[str, str], dict[str, Any]]
) -> None:
    ice = scenario_streams[(KINDS_DB, "ice")]
    assert ice["json_schema"]["properties"] == {
        "id": INTEGER,
        "ts": TIMESTAMP,
        "nested": {"type": ["null", "object"], "properties": {"at": TIMESTAMP}},
    }
    # The read path describes the table from the same Glue entry: Iceberg timestamps carry 6 digits.
    table = table_from_glue(KINDS_DB, athena.client("glue").get_table(DatabaseName=KINDS_DB, Name="ice")["Table"])
    assert table.is_iceberg
    ts, nested = table.column("ts"), table.column("nested")
    assert ts is not None and nested is not None
    assert (ts.type.kind, ts.type.precision) == (Kind.TIMESTAMP, 6)
    assert nested.type.children[0].precision == 6
    # A Hive table's bare timestamp keeps no declared precision (ms or µs, printed as the values need).
    by_ts = table_from_glue(KINDS_DB, athena.client("glue").get_table(DatabaseName=KINDS_DB, Name="by_ts")["Table"])
    hour = by_ts.column("hour")
    assert hour is not None and hour.type.precision is None


def test_delta_placeholder_is_left_out_with_a_log_line(
    scenario: tuple[Run, Counter[str]], scenario_streams: dict[tuple[str, str], dict[str, Any]]
) -> None:
    run, _ = scenario
    assert (KINDS_DB, "delta_spark") not in scenario_streams
    (line,) = [w for w in warnings(run) if "delta_spark" in w]
    assert f"{KINDS_DB}.delta_spark" in line and "col array<string>" in line
    described = scenario_streams[(KINDS_DB, "delta_described")]
    assert described["json_schema"]["properties"] == {"id": INTEGER, "name": STRING}


def test_partition_projection_table_is_discovered_normally(
    athena: LocalAthena, scenario_streams: dict[tuple[str, str], dict[str, Any]]
) -> None:
    projected = scenario_streams[(KINDS_DB, "projected")]
    assert projected["json_schema"]["properties"] == {
        "id": INTEGER,
        "value": NUMBER,
        "day": {"type": ["null", "string"], "format": "date"},
    }
    assert projected["default_cursor_field"] == ["day"]
    glue = athena.client("glue").get_table(DatabaseName=KINDS_DB, Name="projected")["Table"]
    assert table_from_glue(KINDS_DB, glue).uses_projection
    assert not table_from_glue(KINDS_DB, {**glue, "Parameters": {}}).uses_projection


def test_same_named_tables_in_two_databases_are_two_streams(
    scenario_streams: dict[tuple[str, str], dict[str, Any]],
) -> None:
    a, b = scenario_streams[(TWIN_A, "orders")], scenario_streams[(TWIN_B, "orders")]
    assert a["json_schema"]["properties"] == {"id": INTEGER, "amount": NUMBER}
    assert b["json_schema"]["properties"] == {"order_ref": STRING, "placed": {**STRING, "format": "date"}}


def test_scope_b_lists_only_the_named_databases_with_one_glue_page_each(
    scenario: tuple[Run, Counter[str]], scenario_streams: dict[tuple[str, str], dict[str, Any]]
) -> None:
    _, calls = scenario
    assert {namespace for namespace, _ in scenario_streams} == set(SCENARIO_DBS)
    assert len(scenario_streams) == 1 + 11 + 2  # all_types; kinds without the Delta placeholder; twins
    glue_calls = {k: v for k, v in calls.items() if k.startswith("glue:")}
    assert glue_calls == {"glue:GetTables": len(SCENARIO_DBS)}, "no GetDatabases in Scope B, no GetTable"
    assert not [k for k in calls if k.startswith(("athena:", "s3:"))], "discover runs no query"


# ---------------------------------------------------------------------------------------------------------
# Runs of their own


def test_paging_past_one_page_of_databases_and_of_tables(athena_sandbox: LocalAthena) -> None:
    """Scope A: > 100 databases and a database of 150 tables; Glue is asked for exactly its pages."""
    athena = athena_sandbox
    glue = athena.client("glue")
    many = [f"disc_page_{i:03d}" for i in range(101)]
    for name in many:
        create_database(glue, name)
    glue_table(glue, many[-1], "last_db_table", [("id", "bigint")])
    big = many[0]
    for i in range(150):
        glue_table(glue, big, f"t_{i:03d}", [("id", "bigint"), (f"col_{i}", "string")])

    tables_per_db: dict[str, int] = {}
    for page in glue.get_paginator("get_databases").paginate():
        for db in page["DatabaseList"]:
            tables_per_db[db["Name"]] = sum(
                len(p["TableList"]) for p in glue.get_paginator("get_tables").paginate(DatabaseName=db["Name"])
            )
    assert len(tables_per_db) > 100 and tables_per_db[big] == 150
    athena.reset_observations()

    run = discover(athena)
    streams = streams_by_key(only_catalog(run))

    assert {name for namespace, name in streams if namespace == big} == {f"t_{i:03d}" for i in range(150)}
    assert streams[(big, "t_149")]["json_schema"]["properties"] == {"id": INTEGER, "col_149": STRING}
    assert (many[-1], "last_db_table") in streams, "a database on the second page of GetDatabases"
    assert streams[("entertainment", "movies")]["default_cursor_field"] == ["release_date"]  # a date string
    # Every table of this test's databases is a stream, and no stream is a table Glue does not hold (counted from
    # Glue, whatever other modules left behind).
    mine = {(namespace, name) for namespace, name in streams if namespace in many}
    assert mine == {(big, f"t_{i:03d}") for i in range(150)} | {(many[-1], "last_db_table")}
    assert {name for namespace, name in streams if namespace == "entertainment"} == {
        "movies",
        "ratings",
        "catalog_items",
    }
    assert {namespace for namespace, _ in streams} <= set(tables_per_db)
    expected_table_pages = sum(max(1, math.ceil(n / 100)) for n in tables_per_db.values())
    glue_calls = {k: v for k, v in athena.calls.items() if k.startswith("glue:")}
    assert glue_calls == {
        "glue:GetDatabases": math.ceil(len(tables_per_db) / 100),
        "glue:GetTables": expected_table_pages,
    }


def test_a_denied_database_is_skipped_with_one_warning(athena_sandbox: LocalAthena) -> None:
    athena = athena_sandbox
    glue = athena.client("glue")
    databases = ["disc_denied_a", "disc_denied_b"]
    for name in databases:
        create_database(glue, name)
        glue_table(glue, name, f"{name}_table", [("id", "bigint")])
    # Databases are fetched concurrently: which one meets the fault first is up to the threads.
    athena.faults.error("glue:GetTables", "AccessDeniedException", count=1, message="User is not authorized")

    run = discover(athena, databases=databases)
    streams = streams_by_key(only_catalog(run))

    assert len(streams) == 1
    ((readable, _),) = streams
    (denied,) = [d for d in databases if d != readable]
    assert streams[(readable, f"{readable}_table")]
    (warning,) = warnings(run)
    assert f"'{denied}'" in warning and readable not in warning
    assert "glue:GetTables" in warning and "denied" in warning
    assert all(sid in warning for sid in SIDS)
    assert athena.calls["glue:GetTables"] == 2


def test_nothing_readable_is_a_clear_error(athena_sandbox: LocalAthena) -> None:
    athena = athena_sandbox
    glue = athena.client("glue")
    databases = ["disc_all_denied_a", "disc_all_denied_b"]
    for name in databases:
        create_database(glue, name)
        glue_table(glue, name, "t", [("id", "bigint")])
    athena.faults.error("glue:GetTables", "AccessDeniedException", message="User is not authorized")

    run = discover(athena, databases=databases)

    assert run.returncode == 1
    assert not run.of_type("CATALOG")
    (error,) = run.errors
    assert error["failure_type"] == "config_error"
    assert "glue:GetTables" in error["message"] and "AccessDeniedException" in error["message"]
    assert "No Glue database could be read (disc_all_denied_a, disc_all_denied_b)" in error["message"]
    assert all(sid in error["message"] for sid in SIDS)
    assert_no_traceback(error["message"], error.get("stack_trace") or "")


def test_an_empty_database_gives_a_valid_empty_catalog(athena_sandbox: LocalAthena) -> None:
    athena = athena_sandbox
    create_database(athena.client("glue"), "disc_empty")
    athena.reset_observations()
    run = discover(athena, databases=["disc_empty"])
    assert only_catalog(run) == {"streams": []}
    assert not warnings(run)
    assert {k: v for k, v in athena.calls.items() if k.startswith("glue:")} == {"glue:GetTables": 1}


HOSTILE_DB = "disc_hostile_ü"
# Names real Glue accepts (its single-line pattern: any character but line breaks and other controls, tab
# allowed); Glue keeps them lower-cased, so "MixedCase" is held as "mixedcase" (the stand-in does the same).
HOSTILE_TABLES = ['we"ird`tbl;drop table x', "select", "MixedCase", "ünïcode_表", "tab\tname"]
HOSTILE_COLUMNS = ['a"b', "c`d", "e;f", "from", "Upper", "ü_列", "space col", "back\\slash", "tab\tcol"]
HOSTILE_COMMENT = 'a comment with "quotes", \\ and\ttab'


def test_hostile_names_still_give_a_valid_catalog(athena_sandbox: LocalAthena) -> None:
    athena = athena_sandbox
    glue = athena.client("glue")
    create_database(glue, HOSTILE_DB)
    for table in HOSTILE_TABLES:
        glue_table(
            glue,
            HOSTILE_DB,
            table,
            [(column, "string") for column in HOSTILE_COLUMNS]
            + [("s", 'struct<`x"y`:int,`select`:string,`ü`:array<struct<`a``b`:bigint>>>')],
            partition_keys=[("Date", "date")],
            comments={"from": HOSTILE_COMMENT},
        )

    run = discover(athena, databases=[HOSTILE_DB])
    streams = streams_by_key(only_catalog(run))

    assert {name for _, name in streams} == {table.lower() for table in HOSTILE_TABLES}, "the names Glue keeps"
    assert "mixedcase" in {name for _, name in streams}
    for stream in streams.values():
        assert stream["namespace"] == HOSTILE_DB
        properties = stream["json_schema"]["properties"]
        assert list(properties) == [*(column.lower() for column in HOSTILE_COLUMNS), "s", "date"]
        assert properties["from"]["description"] == HOSTILE_COMMENT
        assert properties["s"] == {
            "type": ["null", "object"],
            "properties": {
                'x"y': INTEGER,
                "select": STRING,
                "ü": {
                    "type": ["null", "array"],
                    "items": {"type": ["null", "object"], "properties": {"a`b": INTEGER}},
                },
            },
        }
        assert stream["default_cursor_field"] == ["date"]
    assert not warnings(run)
