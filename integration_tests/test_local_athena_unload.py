"""UNLOAD in the stand-in: Parquet files (several when large) + manifest, and the non-empty-prefix failure."""

from __future__ import annotations

import hashlib
import io

import pyarrow.parquet as pq
import pytest

from local_athena import LocalAthena, moto_state, result_files
from local_athena.testing import run


def test_unload_multi_file_with_manifest(athena_sandbox: LocalAthena, monkeypatch: pytest.MonkeyPatch):
    athena = athena_sandbox
    monkeypatch.setattr(result_files, "ROWS_PER_UNLOAD_FILE", 100)
    c, s3 = athena.client("athena"), athena.client("s3")
    sql = (
        "UNLOAD (SELECT id, title, budget, released_at FROM entertainment.movies ORDER BY id) "
        "TO 's3://skoot-athena-results/unload/t1/' WITH (format = 'PARQUET', compression = 'SNAPPY')"
    )
    qe = run(c, sql)
    assert qe["Status"]["State"] == "SUCCEEDED", qe["Status"]
    manifest = qe["Statistics"]["DataManifestLocation"]
    assert manifest == f"s3://skoot-athena-results/{qe['QueryExecutionId']}-manifest.csv"
    body = s3.get_object(Bucket="skoot-athena-results", Key=manifest.split("/", 3)[3])["Body"].read().decode()
    uris = body.split()
    assert len(uris) >= 3 and all(u.startswith("s3://skoot-athena-results/unload/t1/") for u in uris)
    tables = []
    for uri in uris:
        data = s3.get_object(Bucket="skoot-athena-results", Key=uri.split("/", 3)[3])["Body"].read()
        f = pq.ParquetFile(io.BytesIO(data))
        assert f.metadata.row_group(0).column(0).compression == "SNAPPY"
        tables.append(f.read())
    ids = [v for t in tables for v in t.column("id").to_pylist()]
    assert ids == list(range(1000, 1300))
    assert str(tables[0].schema.field("released_at").type) == "timestamp[ms]"
    assert str(tables[0].schema.field("budget").type) == "decimal128(12, 2)"
    assert athena.queries[-1].kind == "UNLOAD"


def test_unload_fails_when_prefix_not_empty(athena_sandbox: LocalAthena):
    athena = athena_sandbox
    s3 = athena.client("s3")
    s3.put_object(Bucket="skoot-athena-results", Key="unload/busy/existing", Body=b"x")
    qe = run(
        athena.client("athena"),
        "UNLOAD (SELECT 1) TO 's3://skoot-athena-results/unload/busy/' WITH (format = 'PARQUET')",
    )
    assert qe["Status"]["State"] == "FAILED"
    assert qe["Status"]["StateChangeReason"].startswith("HIVE_PATH_ALREADY_EXISTS")


def test_unload_files_have_their_etag_when_written(athena_sandbox: LocalAthena) -> None:
    """S3 computes an object's ETag (MD5 of a single PUT's data) when it is written, not on the first read: the
    stand-in's UNLOAD files carry it from the moment the query is done (moto_state.put_object)."""
    athena = athena_sandbox
    c, s3 = athena.client("athena"), athena.client("s3")
    sql = (
        "UNLOAD (SELECT id, title FROM entertainment.movies) "
        "TO 's3://skoot-athena-results/unload/etag/' WITH (format = 'PARQUET')"
    )
    qe = run(c, sql)
    assert qe["Status"]["State"] == "SUCCEEDED", qe["Status"]
    manifest = qe["Statistics"]["DataManifestLocation"].split("/", 3)[3]
    uri = s3.get_object(Bucket="skoot-athena-results", Key=manifest)["Body"].read().decode().split()[0]
    key = uri.split("/", 3)[3]

    stored = moto_state.s3_backend().get_object("skoot-athena-results", key)
    assert stored._etag is not None, "computed by the write (moto's FakeKey._etag, pinned moto 5.x)"
    data = s3.get_object(Bucket="skoot-athena-results", Key=key)["Body"].read()
    ranged = s3.get_object(Bucket="skoot-athena-results", Key=key, Range="bytes=-8")
    assert ranged["ETag"] == f'"{hashlib.md5(data).hexdigest()}"'
