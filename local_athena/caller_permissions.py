"""The caller's Glue and S3 permissions, checked as Athena checks them while it resolves a query's tables.

Why: Athena has no service role, so under IAM enforcement every Glue call and S3 read a query makes is decided
on the caller's own policies (iam.py); the table resolver and the view builders (file_views) both check them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import moto_state
from .arns import glue_table_arns
from .query_errors import glue_denied, s3_read_denied

if TYPE_CHECKING:
    from .iam import Principal


class CallerPermissions:
    """The checks for one caller; ``principal`` is None when IAM is not enforced (then everything is allowed)."""

    def __init__(self, principal: Principal | None, region: str, account_id: str) -> None:
        self.principal = principal
        self.region = region
        self.account_id = account_id

    def check_glue(self, action: str, database: str, table: str) -> None:
        """Glue's AccessDenied unless the caller may ``action`` the table, its database and the catalog."""
        if self.principal is None:
            return
        arns = glue_table_arns(self.region, self.account_id, database.lower(), table.lower())
        denied = self.principal.first_denied(action, arns)
        if denied is not None:
            raise glue_denied(self.principal.denial_text(action, denied))

    def check_location(self, location: str) -> None:
        """S3's AccessDenied unless the caller may list the bucket of ``location``."""
        if self.principal is not None:
            bucket, _ = moto_state.split_s3_url(location)
            if not self.principal.decide("s3:ListBucket", f"arn:aws:s3:::{bucket}"):
                raise s3_read_denied(location)

    def check_object(self, s3_file: moto_state.S3File) -> None:
        """S3's AccessDenied unless the caller may read ``s3_file``."""
        object_arn = f"arn:aws:s3:::{s3_file.bucket}/{s3_file.key}"
        if self.principal is not None and not self.principal.decide("s3:GetObject", object_arn):
            raise s3_read_denied(f"s3://{s3_file.bucket}/{s3_file.key}")
