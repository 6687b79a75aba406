"""Airbyte source connector for AWS Athena."""

from source_skoot_athena.source import SourceSkootAthena

__all__ = ["SourceSkootAthena"]
