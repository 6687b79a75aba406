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
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from moto.athena.models import athena_backends

from . import moto_state

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
