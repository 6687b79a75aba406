"""What to grant when Lake Formation refused a query, in words that point at Lake Formation, not at S3.

Why: on data registered with Lake Formation, Athena reads with credentials Lake Formation vends after
``lakeformation:GetDataAccess`` (an IAM action) and a Lake Formation grant (SELECT on the table) — the guide's S3
statements do not apply (https://docs.aws.amazon.com/athena/latest/ug/lf-athena-user-permissions.html). Glue's
refusal reads "Insufficient Lake Formation permission(s) on <table>".
"""

from __future__ import annotations

import re

GET_DATA_ACCESS = "lakeformation:GetDataAccess"
GET_DATA_ACCESS_GRANT = (
    "an optional statement allowing lakeformation:GetDataAccess on Resource * (beyond the setup guide's policy; "
    "README Permissions)"
)
_INSUFFICIENT = re.compile(r"Insufficient Lake Formation permission\(s\)(?: on (\S+))?", re.I)


def lake_formation_hint(reason: str) -> str | None:
    """The grant to ask for when ``reason`` (a FAILED query's) is a Lake Formation refusal; None otherwise."""
    if GET_DATA_ACCESS in reason:
        return (
            f" The table's data is governed by Lake Formation: the Skoot identity needs {GET_DATA_ACCESS_GRANT}, "
            "and a Lake Formation SELECT grant on the table (Lake Formation console: Data permissions -> Grant)."
        )
    insufficient = _INSUFFICIENT.search(reason)
    if insufficient is None:
        return None
    table = insufficient.group(1) or "the table"
    return (
        f" The table's data is governed by Lake Formation: grant the Skoot identity SELECT on {table} in Lake "
        "Formation (console: Data permissions -> Grant; or aws lakeformation grant-permissions), and allow it "
        f"{GET_DATA_ACCESS}. Its S3 statements do not apply to Lake Formation data."
    )
