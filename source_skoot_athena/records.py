"""Kept so `from source_skoot_athena.records import RecordEncoder` still works; the encoder is encoding/."""

from source_skoot_athena.encoding import RecordEncoder

__all__ = ["RecordEncoder"]
