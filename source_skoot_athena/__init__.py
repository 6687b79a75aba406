"""Airbyte source connector for AWS Athena.

`SourceSkootAthena` is loaded on first use (PEP 562): it imports airbyte_cdk, which the `read` verb never does
(entrypoint.py says why), and every module of this package imports this file first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from source_skoot_athena.source import SourceSkootAthena

__all__ = ["SourceSkootAthena"]


def __getattr__(name: str) -> Any:
    if name == "SourceSkootAthena":
        from source_skoot_athena.source import SourceSkootAthena

        return SourceSkootAthena
    raise AttributeError(f"module 'source_skoot_athena' has no attribute {name!r}")
