"""Validate a verb's stdout against the Airbyte protocol's own models, line by line.

The models come from `airbyte-protocol-models-pdv2` (`airbyte_protocol.models`, pydantic 2), not from the CDK
(which uses the dataclasses variant): a client we did not write. Those models accept unknown keys, so the
helper adds what the protocol states but the models do not enforce: strict JSON (no NaN/Infinity), only the
protocol's top-level keys, and exactly the payload that the message `type` names.
"""

from __future__ import annotations

import json
from typing import Any

from airbyte_protocol.models import AirbyteMessage, Type
from pydantic import ValidationError

from source_skoot_athena.config import FORM, REQUIRED

# The setup guide's form ("Connect in Skoot App": fill these fields exactly), the outside contract spec.json must
# keep: these titles, in this order, first and required. Written out here on purpose: it is what the test checks
# spec.json against, not a second source of the form.
GUIDE_TITLES = [
    "Connection Name",
    "AWS Region",
    "Access Key ID",
    "Secret Access Key",
    "Workgroup",
    "Catalog",
    "Query Timeout (ms)",
]
# The required fields' titles, in form order, as spec.json (the one source) states them.
SPEC_TITLES = [FORM[key]["title"] for key in sorted(REQUIRED, key=lambda key: FORM[key]["order"])]
assert SPEC_TITLES == GUIDE_TITLES, f"spec.json's required fields {SPEC_TITLES} are not the setup guide's form"

# Message type -> the one payload key it carries (airbyte_protocol.yaml, AirbyteMessage).
PAYLOAD_KEY: dict[Type, str] = {
    Type.RECORD: "record",
    Type.STATE: "state",
    Type.LOG: "log",
    Type.SPEC: "spec",
    Type.CONNECTION_STATUS: "connectionStatus",
    Type.CATALOG: "catalog",
    Type.TRACE: "trace",
    Type.CONTROL: "control",
    Type.DESTINATION_CATALOG: "destination_catalog",
}
TOP_LEVEL_KEYS = frozenset({"type", *PAYLOAD_KEY.values()})


class ProtocolViolation(AssertionError):
    """A stdout line that is not a valid Airbyte message (names the line number and what is wrong)."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def strict_json(line: str) -> Any:
    """JSON as RFC 8259 defines it: Python's json accepts NaN/Infinity, the protocol's JSON does not."""
    return json.loads(line, parse_constant=_reject_constant)


def parse_line(line: str, lineno: int = 1) -> AirbyteMessage:
    """One stdout line -> a validated AirbyteMessage, or ProtocolViolation saying why not."""
    where = f"stdout line {lineno}"
    shown = line if len(line) <= 300 else line[:300] + "…"
    try:
        raw = strict_json(line)
    except ValueError as exc:
        raise ProtocolViolation(f"{where} is not JSON ({exc}): {shown!r}") from None
    if not isinstance(raw, dict):
        raise ProtocolViolation(f"{where} is not a JSON object: {shown!r}")
    unknown = set(raw) - TOP_LEVEL_KEYS
    if unknown:
        raise ProtocolViolation(f"{where} has keys that are not in the protocol {sorted(unknown)}: {shown!r}")
    try:
        message = AirbyteMessage.model_validate(raw)
    except ValidationError as exc:
        raise ProtocolViolation(f"{where} does not validate as an AirbyteMessage: {exc}\n{shown!r}") from None
    expected = PAYLOAD_KEY[message.type]
    present = {key for key in PAYLOAD_KEY.values() if raw.get(key) is not None}
    if present != {expected}:
        raise ProtocolViolation(
            f"{where}: a {message.type.value} message must carry exactly '{expected}', got {sorted(present)}: {shown!r}"
        )
    return message


def assert_valid_protocol(stdout: str) -> list[AirbyteMessage]:
    """Every line of `stdout` is one valid Airbyte message (no blank or partial lines); returns them, in order.

    Raises ProtocolViolation (an AssertionError) at the first line that is not.
    """
    if stdout and not stdout.endswith("\n"):
        raise ProtocolViolation("stdout does not end with a newline: its last message may be cut off")
    lines = stdout.split("\n")[:-1] if stdout else []
    return [parse_line(line, number) for number, line in enumerate(lines, start=1)]


def message_dicts(stdout: str) -> list[dict[str, Any]]:
    """Every line of `stdout`, validated as by `assert_valid_protocol`, as plain dicts (what tests index into)."""
    assert_valid_protocol(stdout)
    return [strict_json(line) for line in stdout.split("\n")[:-1]] if stdout else []


def of_type(messages: list[AirbyteMessage], kind: Type) -> list[AirbyteMessage]:
    """The messages of one type, in order."""
    return [m for m in messages if m.type == kind]
