"""Lake Formation over the S3 locations registered with it, as Athena enforces it for the caller.

Why: on a table whose location is registered with Lake Formation, Athena does not read S3 with the caller's S3
permissions: it calls ``lakeformation:GetDataAccess`` as the caller, which needs that IAM action and a Lake
Formation grant (SELECT) on the table, and reads with the credentials Lake Formation vends
(https://docs.aws.amazon.com/athena/latest/ug/lf-athena-user-permissions.html,
https://docs.aws.amazon.com/lake-formation/latest/dg/access-control-underlying-data.html). A missing grant fails
the query with Glue's "Insufficient Lake Formation permission(s) on <table>" (AccessDeniedException; the observed
text is quoted in aws/amazon-sagemaker-examples#2079 and awslabs/sagemaker-explaining-credit-decisions#8).
Modelled while IAM is enforced: ``register(s3_prefix)`` (RegisterResource), ``grant_select(principal_arn, db,
table)`` (GrantPermissions SELECT on a table), ``clear()``. Not modelled: column/row filters, LF-tags, data cells.
"""

from __future__ import annotations

import threading
from typing import Any

from .query_errors import glue_denied


class LakeFormation:
    """Registered locations and SELECT grants."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._locations: list[str] = []
        self._grants: set[tuple[str, str, str]] = set()

    def register(self, s3_prefix: str) -> None:
        with self._lock:
            self._locations.append(s3_prefix.rstrip("/") + "/")

    def grant_select(self, principal_arn: str, database: str, table: str) -> None:
        with self._lock:
            self._grants.add((principal_arn, database.lower(), table.lower()))

    def clear(self) -> None:
        with self._lock:
            self._locations.clear()
            self._grants.clear()

    def governs(self, location: str | None) -> bool:
        if not location:
            return False
        prefix = location.rstrip("/") + "/"
        with self._lock:
            return any(prefix.startswith(registered) for registered in self._locations)

    def authorize_read(self, principal: Any, database: str, table: str, location: str | None) -> bool:
        """True when Lake Formation governs the table and lets the caller read it (then S3 is not checked for the
        caller); False when it does not govern it; raises Athena's failure when it refuses."""
        if principal is None or not self.governs(location):
            return False
        if not principal.decide("lakeformation:GetDataAccess", "*"):
            raise glue_denied(principal.denial_text("lakeformation:GetDataAccess", "*"))
        with self._lock:
            granted = (principal.arn, database.lower(), table.lower()) in self._grants
        if not granted:
            raise glue_denied(f"Insufficient Lake Formation permission(s) on {table.lower()}")
        return True
