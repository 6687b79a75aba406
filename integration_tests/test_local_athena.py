"""The local Athena stand-in itself: pin guard, query lifecycle, SQL coverage, result contract, Glue paging."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import botocore.exceptions
import moto
import pyarrow as pa
import pytest

from local_athena import LocalAthena
from local_athena.compat import PINNED, check_moto
from local_athena.demo_lake import expected_rows
from local_athena.testing import all_rows, run, wait


def test_moto_pin_and_patch_targets_present():
    assert moto.__version__ == PINNED, f"local_athena patches moto=={PINNED}; installed {moto.__version__}"
    check_moto()  # raises MotoVersionError naming "moto==5.2.5" if a patched function/signature moved


def test_pin_guard_names_the_version(monkeypatch):
    from local_athena import compat

    monkeypatch.setattr(compat.moto, "__version__", "9.9.9")
    with pytest.raises(compat.MotoVersionError, match=r"moto==5\.2\.5"):
        compat.check_moto()


def test_select_1_lifecycle_and_statistics(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    c = athena.client("athena")
    qe = run(c, "SELECT 1")
    assert qe["Status"]["State"] == "SUCCEEDED"
    assert qe["Statistics"]["DataScannedInBytes"] == 0
    assert "EngineExecutionTimeInMillis" in qe["Statistics"]
    assert qe["ResultConfiguration"]["OutputLocation"] == f"s3://skoot-athena-results/{qe['QueryExecutionId']}.csv"
    assert all_rows(c, qe["QueryExecutionId"]) == [["_col0"], ["1"]]


def test_leading_comments_and_quoting(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    c = athena.client("athena")
    athena.put_table("Quirky", "weird", pa.table({'a"b': [1, 2], "select": ["x", "ü"], "UPPER": [True, False]}))
    sql = '/* comment */ -- more\nSELECT "a""b", "select", "UPPER" FROM "AwsDataCatalog"."quirky"."weird" ORDER BY 1'
    qe = run(c, sql)
    assert qe["Status"]["State"] == "SUCCEEDED", qe["Status"]
    assert all_rows(c, qe["QueryExecutionId"]) == [['a"b', "select", "upper"], ["1", "x", "true"], ["2", "ü", "false"]]


def test_literals_functions_and_types(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    c = athena.client("athena")
    sql = (
        "SELECT TIMESTAMP '2024-01-01 12:00:00.123' AS ts, DATE '2024-02-29' AS d, DECIMAL '1.50' AS dec, "
        "CAST(1.5 AS DOUBLE) AS dbl, CAST(1e20 AS DOUBLE) AS big, nan() AS n, infinity() AS inf, "
        "ARRAY[1, 2] AS arr, MAP(ARRAY['a'], ARRAY[1]) AS m, CAST(ROW(1, 2) AS ROW(a INTEGER, b INTEGER)) AS r, "
        "to_utf8('ab') AS bin, true AS bool, to_iso8601(TIMESTAMP '2024-01-01 12:00:00.123') AS iso, "
        "to_base64(to_utf8('ab')) AS b64, "
        "json_format(CAST(CAST(ROW(1, 'x') AS ROW(a INTEGER, b VARCHAR)) AS JSON)) AS j"
    )
    qe = run(c, sql)
    assert qe["Status"]["State"] == "SUCCEEDED", qe["Status"]
    page = c.get_query_results(QueryExecutionId=qe["QueryExecutionId"])
    values = [d.get("VarCharValue") for d in page["ResultSet"]["Rows"][1]["Data"]]
    assert values == [
        "2024-01-01 12:00:00.123",
        "2024-02-29",
        "1.50",
        "1.5",
        "1.0E20",
        "NaN",
        "Infinity",
        "[1, 2]",
        "{a=1}",
        "{a=1, b=2}",
        "61 62",
        "true",
        "2024-01-01T12:00:00.123",
        "YWI=",
        '{"a":1,"b":"x"}',
    ]
    info = {col["Name"]: col for col in page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]}
    assert info["dec"]["Type"] == "decimal" and (info["dec"]["Precision"], info["dec"]["Scale"]) == (3, 2)
    assert [info[k]["Type"] for k in ("ts", "d", "dbl", "arr", "m", "r", "bin", "bool")] == [
        "timestamp",
        "date",
        "double",
        "array",
        "map",
        "row",
        "varbinary",
        "boolean",
    ]


def test_demo_tables_round_trip(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    c = athena.client("athena")
    qe = run(c, "SELECT * FROM entertainment.ratings ORDER BY rated_at")
    rows = all_rows(c, qe["QueryExecutionId"])
    expected = expected_rows("ratings")
    assert rows[0] == ["user_id", "movie_id", "score", "rated_at", "comment"]
    assert len(rows) - 1 == len(expected)
    assert [r[4] for r in rows[1:]] == [e["comment"] for e in expected]  # NULL vs "" kept apart
    qe = run(
        c,
        "SELECT item_id, tags, attributes, details, price, payload FROM entertainment.catalog_items WHERE item_id = 2",
    )
    row = all_rows(c, qe["QueryExecutionId"])[1]
    assert row == [
        "2",
        "[t0]",
        "{k0=10}",
        "{a=1, b=[1.05, 1.15]}",
        "1234567.0000000001",
        "01 fe 00 10",
    ]
    cols = c.get_query_results(QueryExecutionId=qe["QueryExecutionId"])["ResultSet"]["ResultSetMetadata"]
    price = next(x for x in cols["ColumnInfo"] if x["Name"] == "price")
    assert (price["Type"], price["Precision"], price["Scale"]) == ("decimal", 38, 10)
    written = expected_rows("catalog_items")[1]
    assert (int(str(row[0])), Decimal(str(row[4])), bytes.fromhex(str(row[5]))) == (
        written["item_id"],
        written["price"],
        written["payload"],
    ), "the values read are the values written, every digit and byte"


def test_result_csv_and_metadata(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    c, s3 = athena.client("athena"), athena.client("s3")
    qe = run(
        c,
        ("SELECT comment, score FROM entertainment.ratings WHERE coalesce(comment, '') = '' ORDER BY rated_at LIMIT 6"),
    )
    qid = qe["QueryExecutionId"]
    body = s3.get_object(Bucket="skoot-athena-results", Key=f"{qid}.csv")["Body"].read().decode()
    lines = body.splitlines()
    assert lines[0] == '"comment","score"'
    written = sorted(expected_rows("ratings"), key=lambda r: r["rated_at"])
    blank = [r for r in written if not r["comment"]][:6]
    assert {r["comment"] for r in blank} == {None, ""}
    # NULL is an unquoted empty field, the empty string a quoted one; every value is quoted.
    assert lines[1:] == [("," if r["comment"] is None else '"",') + f'"{r["score"]}"' for r in blank]
    parsed = list(csv.reader(io.StringIO(body)))
    assert len(parsed) == 7
    s3.head_object(Bucket="skoot-athena-results", Key=f"{qid}.csv.metadata")


def test_get_query_results_paging_and_max_results(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    c = athena.client("athena")
    qe = run(c, "SELECT id FROM entertainment.movies ORDER BY id")
    qid = qe["QueryExecutionId"]
    with pytest.raises(botocore.exceptions.ClientError) as err:
        c.get_query_results(QueryExecutionId=qid, MaxResults=1001)
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"
    page1 = c.get_query_results(QueryExecutionId=qid, MaxResults=100)
    assert page1["ResultSet"]["Rows"][0]["Data"][0]["VarCharValue"] == "id"
    assert len(page1["ResultSet"]["Rows"]) == 100 and "NextToken" in page1
    rows = all_rows(c, qid, page_size=77)
    assert [r[0] for r in rows[1:]] == [str(1000 + i) for i in range(300)]


def test_results_of_unfinished_or_failed_query_are_errors(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    c = athena.client("athena")
    qe = run(c, "SELECT * FROM entertainment.nope")
    with pytest.raises(botocore.exceptions.ClientError, match="FAILED"):
        c.get_query_results(QueryExecutionId=qe["QueryExecutionId"])


@pytest.mark.parametrize(
    ("sql", "error_type"),
    [
        ("SELECT * FROM entertainment.nope", "TABLE_NOT_FOUND"),
        ("SELECT nope FROM entertainment.movies", "COLUMN_NOT_FOUND"),
        ("SELEC 1", "SYNTAX_ERROR"),
    ],
)
def test_failure_states(athena_sandbox: LocalAthena, sql, error_type):
    athena = athena_sandbox
    qe = run(athena.client("athena"), sql)
    status = qe["Status"]
    assert status["State"] == "FAILED"
    assert status["StateChangeReason"].startswith(error_type)
    assert status["AthenaError"]["ErrorCategory"] == 2
    assert status["AthenaError"]["Retryable"] is False
    assert athena.queries[-1].error_type == error_type


def test_information_schema_and_context_database(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    c = athena.client("athena")
    qe = run(
        c,
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'entertainment' "
        "AND table_name = 'catalog_items' ORDER BY ordinal_position",
    )
    rows = all_rows(c, qe["QueryExecutionId"])
    assert ["details", "row(a integer, b array(decimal(10,2)))"] in rows
    qe = run(c, "SELECT count(*) FROM movies", QueryExecutionContext={"Database": "entertainment"})
    assert all_rows(c, qe["QueryExecutionId"]) == [["_col0"], ["300"]]


def test_only_registered_partitions_are_visible(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    c = athena.client("athena")
    data = pa.table({"v": [1, 2, 3], "p": ["a", "b", "c"]})
    athena.put_table("scratch", "parts", data, partition_keys=["p"], register_partitions=False)
    athena.client("glue").create_partition(
        DatabaseName="scratch",
        TableName="parts",
        PartitionInput={"Values": ["b"], "StorageDescriptor": {"Location": "s3://skoot-data-demo/scratch/parts/p=b/"}},
    )
    qe = run(c, "SELECT v, p FROM scratch.parts")
    assert all_rows(c, qe["QueryExecutionId"]) == [["v", "p"], ["2", "b"]]


def test_partition_pruning_scans_only_matching_partitions(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    c = athena.client("athena")
    n = 100
    data = pa.table({"v": list(range(n * 20)), "day": [f"2024-01-{i % n:03d}" for i in range(n * 20)]})
    athena.put_table("scratch", "hundred", data, partition_keys=["day"])
    full = run(c, "SELECT count(v) FROM scratch.hundred")["Statistics"]["DataScannedInBytes"]
    one = run(c, "SELECT count(v) FROM scratch.hundred WHERE day = '2024-01-042' AND v >= 0")
    scanned = one["Statistics"]["DataScannedInBytes"]
    assert 0 < scanned <= full / n * 1.5, "one partition of 100 is read"
    assert all_rows(c, one["QueryExecutionId"]) == [["_col0"], ["20"]]


def test_csv_and_json_tables(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    c = athena.client("athena")
    data = pa.table({"s": ["x", "", None], "n": [1, None, 3], "p": ["a", "a", "b"]})
    for fmt in ("csv", "json"):
        athena.put_table("scratch", f"t_{fmt}", data, fmt=fmt, partition_keys=["p"])
        qe = run(c, f"SELECT s, n, p FROM scratch.t_{fmt} ORDER BY p, n NULLS LAST")
        assert qe["Status"]["State"] == "SUCCEEDED", qe["Status"]
        rows = all_rows(c, qe["QueryExecutionId"])
        assert sorted(rows[1:], key=str) == sorted([["x", "1", "a"], ["", None, "a"], [None, "3", "b"]], key=str)


def test_append_rows_adds_files_and_partitions(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    c = athena.client("athena")
    athena.put_table("scratch", "grow", pa.table({"v": [1], "p": ["a"]}), partition_keys=["p"])
    athena.append_rows("scratch", "grow", pa.table({"v": [2, 3], "p": ["a", "z"]}))
    qe = run(c, "SELECT p, sum(v) AS s FROM scratch.grow GROUP BY p ORDER BY p")
    assert all_rows(c, qe["QueryExecutionId"]) == [["p", "s"], ["a", "3"], ["z", "3"]]


def test_views(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    c = athena.client("athena")
    athena.put_table(
        "entertainment_views",
        "top_movies",
        pa.table({"id": pa.array([], pa.int64())}),
        view_sql="SELECT id FROM entertainment.movies WHERE rating > 9",
    )
    qe = run(c, "SELECT count(*) FROM entertainment_views.top_movies")
    assert qe["Status"]["State"] == "SUCCEEDED", qe["Status"]
    table = athena.client("glue").get_table(DatabaseName="entertainment_views", Name="top_movies")["Table"]
    assert table["TableType"] == "VIRTUAL_VIEW"


def test_output_location_rules(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    c = athena.client("athena")
    athena.create_workgroup("wg_loose", output_location="s3://skoot-athena-results/loose/", enforce=False)
    athena.create_workgroup("wg_none", output_location=None)
    athena.create_workgroup("wg_strict", output_location="s3://skoot-athena-results/strict/", enforce=True)
    req = {"ResultConfiguration": {"OutputLocation": "s3://skoot-athena-results/mine/"}}
    assert run(c, "SELECT 1", "wg_strict", **req)["ResultConfiguration"]["OutputLocation"].startswith(
        "s3://skoot-athena-results/strict/"
    )
    assert run(c, "SELECT 1", "wg_loose", **req)["ResultConfiguration"]["OutputLocation"].startswith(
        "s3://skoot-athena-results/mine/"
    )
    assert run(c, "SELECT 1", "wg_loose")["ResultConfiguration"]["OutputLocation"].startswith(
        "s3://skoot-athena-results/loose/"
    )
    with pytest.raises(botocore.exceptions.ClientError) as err:
        c.start_query_execution(QueryString="SELECT 1", WorkGroup="wg_none")
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"
    assert "output location" in err.value.response["Error"]["Message"].lower()


def test_get_work_group(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    c = athena.client("athena")
    wg = c.get_work_group(WorkGroup="skoot")["WorkGroup"]
    assert wg["State"] == "ENABLED"
    assert wg["Configuration"]["ResultConfiguration"]["OutputLocation"] == "s3://skoot-athena-results/"
    assert wg["Configuration"]["EnforceWorkGroupConfiguration"] is True
    assert wg["Configuration"]["EngineVersion"]["EffectiveEngineVersion"] == "Athena engine version 3"
    with pytest.raises(botocore.exceptions.ClientError) as err:
        c.get_work_group(WorkGroup="nope")
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"
    names = {w["Name"] for w in c.list_work_groups()["WorkGroups"]}
    assert {"skoot", "primary"} <= names


def test_client_request_token_is_idempotent(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    c = athena.client("athena")
    token = "t" * 40
    a = c.start_query_execution(QueryString="SELECT 2", WorkGroup="skoot", ClientRequestToken=token)
    b = c.start_query_execution(QueryString="SELECT 2", WorkGroup="skoot", ClientRequestToken=token)
    assert a["QueryExecutionId"] == b["QueryExecutionId"]
    wait(c, a["QueryExecutionId"])


def test_glue_paging_and_partition_expression(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    glue = athena.client("glue")
    for i in range(5):
        athena.put_table("paging", f"t{i}", pa.table({"v": [i]}))
    names, kwargs = [], {"DatabaseName": "paging", "MaxResults": 2}
    while True:
        page = glue.get_tables(**kwargs)
        assert len(page["TableList"]) <= 2
        names += [t["Name"] for t in page["TableList"]]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert sorted(names) == [f"t{i}" for i in range(5)]
    dbs = glue.get_databases(MaxResults=1)
    assert len(dbs["DatabaseList"]) == 1 and "NextToken" in dbs
    parts = glue.get_partitions(DatabaseName="entertainment", TableName="movies", MaxResults=2)
    assert len(parts["Partitions"]) == 2 and "NextToken" in parts
    expr = glue.get_partitions(
        DatabaseName="entertainment",
        TableName="movies",
        Expression="NOT (release_date = '2024-01-01') AND release_date <= '2024-01-03'",
    )
    assert sorted(p["Values"][0] for p in expr["Partitions"]) == ["2024-01-02", "2024-01-03"]
    with_columns = glue.get_partitions(DatabaseName="entertainment", TableName="movies")["Partitions"]
    without = glue.get_partitions(DatabaseName="entertainment", TableName="movies", ExcludeColumnSchema=True)
    assert all(p["StorageDescriptor"]["Columns"] for p in with_columns)
    assert [p["StorageDescriptor"] for p in without["Partitions"]] == [
        {k: v for k, v in p["StorageDescriptor"].items() if k != "Columns"} for p in with_columns
    ]


def test_query_log_and_call_counts(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    c = athena.client("athena")
    sql = "SELECT title  FROM entertainment.movies LIMIT 1 -- exact text"
    run(c, sql)
    assert [q.sql for q in athena.queries] == [sql]
    rec = athena.queries[0]
    assert (rec.workgroup, rec.kind, rec.state, rec.catalog) == ("skoot", "SELECT", "SUCCEEDED", "AwsDataCatalog")
    assert athena.calls["athena:StartQueryExecution"] == 1
    assert athena.calls["athena:GetQueryExecution"] >= 1


def test_env_has_endpoint_and_no_credentials(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    env = athena.env()
    assert env["AWS_ENDPOINT_URL"] == athena.url and env["AWS_EC2_METADATA_DISABLED"] == "true"
    assert not any("KEY" in k or "TOKEN" in k for k in env)


def test_athena_catalog_apis_read_glue(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    c = athena.client("athena")
    names = [d["Name"] for d in c.list_databases(CatalogName="AwsDataCatalog")["DatabaseList"]]
    assert "entertainment" in names
    tables = c.list_table_metadata(CatalogName="AwsDataCatalog", DatabaseName="entertainment")["TableMetadataList"]
    assert {"movies", "ratings", "catalog_items"} <= {t["Name"] for t in tables}
    movies = c.get_table_metadata(CatalogName="AwsDataCatalog", DatabaseName="entertainment", TableName="movies")
    assert [k["Name"] for k in movies["TableMetadata"]["PartitionKeys"]] == ["release_date"]


def test_result_column_names_are_lower_case(athena_sandbox: LocalAthena):
    c = athena_sandbox.client("athena")
    qe = run(c, 'SELECT 1 AS "MyCol", 2 AS other')
    assert all_rows(c, qe["QueryExecutionId"])[0] == ["mycol", "other"]


def test_each_call_is_logged_with_its_connection_and_kept_alive_connections_are_reused(athena_sandbox: LocalAthena):
    """HTTP/1.1 keep-alive as AWS endpoints serve it (server.py KeepAliveHandler): one client's calls come over one
    connection (one client port); another client opens its own."""
    athena_sandbox.reset_observations()
    first, second = athena_sandbox.client("athena"), athena_sandbox.client("athena")
    first.get_work_group(WorkGroup="primary")
    first.list_work_groups()
    second.list_work_groups()
    (a, port_a), (b, port_b), (c, port_c) = athena_sandbox.call_connections
    assert (a, b, c) == ("athena:GetWorkGroup", "athena:ListWorkGroups", "athena:ListWorkGroups")
    assert port_a == port_b != port_c and port_a > 0
    athena_sandbox.reset_observations()
    assert athena_sandbox.call_connections == []
