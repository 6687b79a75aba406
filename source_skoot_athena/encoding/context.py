"""What a value fragmenter knows about the values it encodes: the column's name and declared Athena type,
and where to report values it had to null or types it had to write as text."""

from __future__ import annotations

from typing import Protocol

from source_skoot_athena.types import AthenaType


class Findings(Protocol):
    """Collects what an encode had to change (the record encoder reports it once per stream)."""

    def count_nulled(self, column: str, count: int) -> None: ...

    def warn_once(self, text: str) -> None: ...


class ValueContext:
    """One column (or a nested element of it) being encoded: its name, declared type and findings."""

    def __init__(self, findings: Findings, name: str, athena_type: AthenaType | None) -> None:
        self.findings = findings
        self.name = name
        self.type = athena_type

    def child(self, index: int) -> ValueContext:
        """The context of a nested element (array item, map key/value, struct field)."""
        children = self.type.children if self.type is not None else ()
        return ValueContext(self.findings, self.name, children[index] if index < len(children) else None)

    def count_nulled(self, count: int) -> None:
        """Count values of this column written as null because JSON cannot hold them."""
        self.findings.count_nulled(self.name, count)

    def warn_once(self, text: str) -> None:
        self.findings.warn_once(text)
