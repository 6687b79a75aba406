"""information_schema in the stand-in lists only what the caller may see in Glue.

AWS: Athena answers information_schema queries from the Glue Data Catalog with the caller's permissions, so
databases and tables the caller cannot get are left out ("Query the AWS Glue Data Catalog",
https://docs.aws.amazon.com/athena/latest/ug/querying-glue-catalog.html; Glue checks the resource and its ancestors,
https://docs.aws.amazon.com/glue/latest/dg/glue-specifying-resource-arns.html).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from local_athena import LocalAthena
from local_athena.testing import all_rows, run

GUIDE: dict[str, Any] = json.loads((Path(__file__).parent / "setup_guide_policies" / "scope_a.json").read_text())
SQL = "SELECT DISTINCT table_name FROM information_schema.columns WHERE table_schema = 'entertainment' ORDER BY 1"


def tables_seen(athena: LocalAthena, policy: dict[str, Any]) -> list[str]:
    with athena.iam.enforce(policy) as keys:
        client = athena.client("athena", keys=keys)
        execution = run(client, SQL)
        assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
        return [row[0] or "" for row in all_rows(client, execution["QueryExecutionId"])[1:]]


def test_information_schema_lists_only_the_tables_the_caller_may_get(iam_athena: LocalAthena) -> None:
    everything = tables_seen(iam_athena, GUIDE)
    assert "movies" in everything and len(everything) > 1

    glue = f"arn:aws:glue:{iam_athena.region}:123456789012"
    only_movies = {
        "Effect": "Allow",
        "Action": ["glue:GetDatabases", "glue:GetDatabase", "glue:GetTables", "glue:GetTable", "glue:GetPartitions"],
        "Resource": [f"{glue}:catalog", f"{glue}:database/entertainment", f"{glue}:table/entertainment/movies"],
    }
    statements = [s for s in GUIDE["Statement"] if s["Sid"] != "SkootGlueMetadataAllDatabases"]
    assert tables_seen(iam_athena, {**GUIDE, "Statement": [*statements, only_movies]}) == ["movies"]
