"""Workgroup query-result encryption, applied to the result files Athena writes, as AWS stores them.

Why: a workgroup's ``ResultConfiguration.EncryptionConfiguration`` decides how Athena stores query results, the
result CSV, its ``.metadata`` file, UNLOAD's files and manifest included ("UNLOAD output files are encrypted
according to the encryption configuration", https://docs.aws.amazon.com/athena/latest/ug/unload.html;
https://docs.aws.amazon.com/athena/latest/ug/encrypting-query-results-stored-in-s3.html):

* ``SSE_S3`` / ``SSE_KMS``: S3 encrypts at rest; GetObject/HeadObject answer ``x-amz-server-side-encryption``
  (``AES256`` / ``aws:kms``) and, for KMS, ``x-amz-server-side-encryption-aws-kms-key-id``; the bytes read back
  are the plaintext (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html).
* ``CSE_KMS``: Athena encrypts on the client side, as the Amazon S3 Encryption Client does: the object holds
  AES-GCM ciphertext, and its user metadata the envelope: ``x-amz-key-v2`` (the data key, wrapped by KMS),
  ``x-amz-iv``, ``x-amz-cek-alg`` = ``AES/GCM/NoPadding``, ``x-amz-wrap-alg`` = ``kms+context``,
  ``x-amz-matdesc``, ``x-amz-tag-len`` = ``128``, ``x-amz-unencrypted-content-length``
  (https://docs.aws.amazon.com/amazon-s3-encryption-client/latest/developerguide/concepts.html). Reading it
  with a plain GetObject gives ciphertext: neither CSV nor Parquet. Here the data key is wrapped with a random
  key instead of KMS (nothing in the tests decrypts; what matters is that plain readers get ciphertext).

Only the workgroup's configuration is modelled (the connector sends none with its queries).

KMS permissions, while IAM is enforced (identity policies only, no key policies): writing results under SSE_KMS or
CSE_KMS needs ``kms:GenerateDataKey`` on the key, else the query FAILS with Athena's "Access denied when writing
output … If you are encrypting query results with KMS key, please ensure you are allowed to access your KMS key";
GetObject of an SSE-KMS object needs ``kms:Decrypt`` on its key, else S3 answers ``AccessDenied`` naming the KMS
action and key (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html: "you need the
kms:GenerateDataKey permission to upload … kms:Decrypt permission to download";
https://repost.aws/knowledge-center/s3-access-denied-error-kms). HeadObject needs no KMS permission here (its
documented permissions are s3:GetObject only; not verified against AWS).
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from moto.athena.models import athena_backends
from moto.iam.access_control import S3IAMRequest
from moto.s3.exceptions import S3ClientError

from . import moto_patching, moto_state
from .iam import Principal

SSE_ALGORITHM = {"SSE_S3": "AES256", "SSE_KMS": "aws:kms"}


@dataclass(frozen=True)
class ResultEncryption:
    """A workgroup's EncryptionConfiguration."""

    option: str  # SSE_S3 | SSE_KMS | CSE_KMS
    kms_key: str | None = None


def of_workgroup(workgroup: str, region: str, account_id: str = moto_state.ACCOUNT_ID) -> ResultEncryption | None:
    """The encryption the workgroup's result configuration asks for (None: unencrypted)."""
    wg = athena_backends[account_id][region].work_groups.get(workgroup)
    config: dict[str, Any] = (getattr(wg, "configuration", None) or {}) if wg is not None else {}
    encryption = (config.get("ResultConfiguration") or {}).get("EncryptionConfiguration") or {}
    option = encryption.get("EncryptionOption")
    return ResultEncryption(str(option), encryption.get("KmsKey")) if option else None


def client_side_envelope(plaintext: bytes, kms_key: str | None) -> tuple[bytes, dict[str, str]]:
    """AES-GCM ciphertext and the S3 Encryption Client's metadata (v2 format) for ``plaintext``."""
    data_key, iv = AESGCM.generate_key(bit_length=256), os.urandom(12)
    ciphertext = AESGCM(data_key).encrypt(iv, plaintext, None)
    wrapped = AESGCM(AESGCM.generate_key(bit_length=256)).encrypt(os.urandom(12), data_key, None)
    metadata = {
        "x-amz-key-v2": base64.b64encode(wrapped).decode(),
        "x-amz-iv": base64.b64encode(iv).decode(),
        "x-amz-cek-alg": "AES/GCM/NoPadding",
        "x-amz-wrap-alg": "kms+context",
        "x-amz-matdesc": json.dumps({"kms_cmk_id": kms_key or "", "aws:x-amz-cek-alg": "AES/GCM/NoPadding"}),
        "x-amz-tag-len": "128",
        "x-amz-unencrypted-content-length": str(len(plaintext)),
    }
    return ciphertext, metadata


def seal(s3_uri: str, encryption: ResultEncryption, account_id: str = moto_state.ACCOUNT_ID) -> None:
    """Store the result object at ``s3_uri`` again, encrypted as the workgroup says."""
    bucket, key = moto_state.split_s3_url(s3_uri)
    backend = moto_state.s3_backend(account_id)
    body = bytes(backend.get_object(bucket, key).value)
    if encryption.option == "CSE_KMS":
        ciphertext, metadata = client_side_envelope(body, encryption.kms_key)
        stored = backend.put_object(bucket_name=bucket, key_name=key, value=ciphertext)
        stored.set_metadata({f"x-amz-meta-{name}": value for name, value in metadata.items()})
        return
    kms_key = encryption.kms_key if encryption.option == "SSE_KMS" else None
    backend.put_object(
        bucket_name=bucket,
        key_name=key,
        value=body,
        encryption=SSE_ALGORITHM.get(encryption.option),
        kms_key_id=kms_key,
    )


def seal_results(workgroup: str, region: str, uris: list[str], account_id: str = moto_state.ACCOUNT_ID) -> None:
    """Encrypt a query's result files per its workgroup (nothing to do when the workgroup does not encrypt)."""
    encryption = of_workgroup(workgroup, region, account_id)
    if encryption is None:
        return
    for uri in uris:
        seal(uri, encryption, account_id)


def may_write(principal: Principal | None, workgroup: str, region: str, account_id: str) -> bool:
    """Whether the query's caller may write results encrypted with the workgroup's KMS key (True without IAM)."""
    encryption = of_workgroup(workgroup, region, account_id)
    if principal is None or encryption is None or encryption.option == "SSE_S3":
        return True
    return principal.decide("kms:GenerateDataKey", encryption.kms_key or "*")


def _kms_key_of(resource: str, account_id: str) -> str | None:
    """The KMS key of an SSE-KMS object (``arn:aws:s3:::bucket/key``), else None."""
    bucket, _, key = resource.removeprefix("arn:aws:s3:::").partition("/")
    try:
        stored = moto_state.s3_backend(account_id).get_object(bucket, key)
    except Exception:
        return None
    if stored is None or getattr(stored, "encryption", None) != "aws:kms":
        return None
    return str(stored.kms_key_id or "*")


def _require_kms_decrypt(request: S3IAMRequest, resource: str) -> None:
    """kms:Decrypt on the object's key, for GetObject of an SSE-KMS object."""
    # HeadObject is authorized as s3:GetObject too, and its documented permissions name no KMS action (the
    # S3 API reference, HeadObject "Permissions"); whether AWS asks KMS for HEAD is not verified.
    if request._action != "s3:GetObject" or request._method == "HEAD":
        return
    kms_key = _kms_key_of(resource, request.account_id)
    if kms_key is None:
        return
    principal = Principal(request._access_key)
    if not principal.decide("kms:Decrypt", kms_key):
        raise S3ClientError("AccessDenied", principal.denial_text("kms:Decrypt", kms_key))


def apply() -> None:
    """Add kms:Decrypt to S3's authorization of GetObject (after ``iam.apply``; ``remove()`` before ``iam.remove``)."""
    s3_check = S3IAMRequest.check_action_permitted

    def check_with_kms(request: S3IAMRequest, resource: str) -> None:
        s3_check(request, resource)
        _require_kms_decrypt(request, resource)

    moto_patching.replace(S3IAMRequest, "check_action_permitted", check_with_kms)


def remove() -> None:
    moto_patching.remove(S3IAMRequest, ("check_action_permitted",))
