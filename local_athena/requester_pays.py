"""Requester Pays buckets: S3 refuses a request that does not accept the charges (``x-amz-request-payer``).

Why: public and shared data sets often sit in Requester Pays buckets of another account. "After you configure a
bucket to be a Requester Pays bucket, requesters must show they understand that they will be charged for the
request and for the data download" by sending ``x-amz-request-payer: requester``; without it S3 answers
``403 Forbidden`` (AccessDenied); bucket owners need not send it
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/RequesterPaysBuckets.html,
https://docs.aws.amazon.com/AmazonS3/latest/userguide/ObjectsinRequesterPaysBuckets.html). moto stores a bucket's
payer (PutBucketRequestPayment) but ignores the header. The stand-in has a single account, so a bucket set to
Requester Pays here stands for another account's shared bucket: every request to it must accept the charges.
S3's side is ``requester_pays_header.py``; Athena's (the workgroup's RequesterPaysEnabled) is ``check_read``.
"""

from __future__ import annotations

from typing import Any

from moto.athena.models import athena_backends

from . import moto_state
from .query_errors import s3_read_denied


def requester_pays(bucket: str) -> bool:
    """Whether moto holds the bucket with Payer=Requester (PutBucketRequestPayment)."""
    found = moto_state.s3_backend().buckets.get(bucket)
    return found is not None and str(getattr(found, "payer", "BucketOwner")) == "Requester"


def make_requester_pays(bucket: str, region: str) -> None:
    """Test set-up: the bucket (created if missing) becomes Requester Pays, as PutBucketRequestPayment makes it."""
    moto_state.ensure_bucket(bucket, region)
    moto_state.s3_backend().buckets[bucket].payer = "Requester"


def workgroup_pays(workgroup: str, region: str, account_id: str = moto_state.ACCOUNT_ID) -> bool:
    """The workgroup's RequesterPaysEnabled: "If set to false, workgroup members cannot query data from Requester
    Pays buckets, and queries that retrieve data from Requester Pays buckets cause an error. The default is false"
    (https://docs.aws.amazon.com/athena/latest/APIReference/API_WorkGroupConfiguration.html)."""
    wg = athena_backends[account_id][region].work_groups.get(workgroup)
    config: dict[str, Any] = (getattr(wg, "configuration", None) or {}) if wg is not None else {}
    return bool(config.get("RequesterPaysEnabled", False))


def check_read(location: str, workgroup_pays_charges: bool) -> None:
    """Athena reading table data at ``location``: a Requester Pays bucket refuses it unless the workgroup accepts
    the charges (S3's 403, which Athena reports as for any S3 denial)."""
    if not workgroup_pays_charges and location.startswith("s3://"):
        bucket = location.removeprefix("s3://").split("/", 1)[0]
        if requester_pays(bucket):
            raise s3_read_denied(location)
