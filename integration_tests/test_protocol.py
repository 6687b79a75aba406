"""The command line as Airbyte runs it: every stdout line of every verb validates against the Airbyte protocol's
own models (airbyte-protocol-models-pdv2), secrets never leave the process, config errors are clear.

Each verb runs `.venv/bin/source-skoot-athena` in a subprocess against the local Athena stand-in over HTTP.
Every run goes through `run_verb`, which asserts for all of them (failures included): each stdout line is a
valid AirbyteMessage, no canary secret appears in stdout or stderr, and no Python traceback is printed.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from airbyte_protocol.models import AirbyteMessage, FailureType, Status, TraceType, Type

from integration_tests.connector import DEMO_CONFIG, EXECUTABLE, connector_env, run_connector
from integration_tests.protocol import SPEC_TITLES, ProtocolViolation, assert_valid_protocol, of_type
from integration_tests.stdout_reader import StdoutReader
from local_athena import LocalAthena, demo_lake

HERE = Path(__file__).resolve().parent

# Recognisable secrets: the whole value and a distinctive piece of it must never be printed.
CANARY_SECRET = "SKOOTSECRET-canary-1234567890"
CANARY_KEY_ID = "AKIASKOOTCANARYKEY77"
SHORT_KEY_ID = "SKOOTCANARYK"  # too short for an access key ID (spec minLength 16): a config error
CANARY_TEMPORARY_KEY_ID = "ASIASKOOTCANARYKEY77"
CANARY_SESSION_TOKEN = "IQoJSKOOTCANARYTOKEN-0987654321"
CANARY_EXTERNAL_ID = "skoot-canary-external-5555"
CANARY_PIECES = (
    CANARY_SECRET,
    "canary-1234567890",
    CANARY_KEY_ID,
    SHORT_KEY_ID,
    CANARY_TEMPORARY_KEY_ID,
    CANARY_SESSION_TOKEN,
    "CANARYTOKEN",
    CANARY_EXTERNAL_ID,
    "canary-external",
)

DEMO_STREAMS = {"movies", "ratings", "catalog_items"}


def load(name: str) -> Any:
    return json.loads((HERE / name).read_text())


def canary_config(**changes: Any) -> dict[str, Any]:
    """sample_config.json with canary secrets (the stand-in accepts any keys), plus `changes`."""
    config = {**load("sample_config.json"), "access_key_id": CANARY_KEY_ID, "secret_access_key": CANARY_SECRET}
    config.update(changes)
    return config


@dataclass
class VerbRun:
    returncode: int
    stdout: str
    stderr: str
    messages: list[AirbyteMessage]

    def of(self, kind: Type) -> list[AirbyteMessage]:
        return of_type(self.messages, kind)

    def records(self, stream: str) -> list[dict[str, Any]]:
        return [m.record.data for m in self.of(Type.RECORD) if m.record is not None and m.record.stream == stream]

    def error_traces(self) -> list[Any]:
        return [m.trace.error for m in self.of(Type.TRACE) if m.trace is not None and m.trace.type == TraceType.ERROR]

    def final_states(self) -> dict[str, dict[str, Any]]:
        """The last per-stream state blob of each stream."""
        states: dict[str, dict[str, Any]] = {}
        for message in self.of(Type.STATE):
            assert message.state is not None and message.state.stream is not None
            blob = message.state.stream.stream_state
            states[message.state.stream.stream_descriptor.name] = blob.model_dump() if blob is not None else {}
        return states


@pytest.fixture
def run_verb(athena: LocalAthena) -> Iterator[Any]:
    """Run one verb as Airbyte would (``run_connector``: sanitised env, every line validated); check secrets and
    tracebacks on every run."""

    def run(verb: str, config: dict[str, Any] | None = None, **files: Any) -> VerbRun:
        proc = run_connector(verb, athena.env(), config=config, timeout=240, **files)
        for piece in CANARY_PIECES:
            assert piece not in proc.stdout, f"`{verb}` printed a secret ({piece!r}) on stdout"
            assert piece not in proc.stderr, f"`{verb}` printed a secret ({piece!r}) on stderr"
        proc.assert_clean()
        return VerbRun(proc.returncode, proc.stdout, proc.stderr, assert_valid_protocol(proc.stdout))

    yield run


def incremental_catalog() -> dict[str, Any]:
    """configured_catalog.json with ratings (rated_at: a timestamp column) and movies (release_date: its string
    partition key, the discovered default cursor) incremental."""
    catalog = copy.deepcopy(load("configured_catalog.json"))
    cursors = {"ratings": "rated_at", "movies": "release_date"}
    for configured in catalog["streams"]:
        name = configured["stream"]["name"]
        if name in cursors:
            configured.update(sync_mode="incremental", destination_sync_mode="append", cursor_field=[cursors[name]])
    return catalog


def saved_cursors(state_file: str) -> dict[str, str]:
    return {s["stream"]["stream_descriptor"]["name"]: s["stream"]["stream_state"]["cursor"] for s in load(state_file)}


def athena_text(value: dt.datetime | str) -> str:
    """A value as Athena renders it (timestamps with milliseconds): the connector's cursor format."""
    if isinstance(value, str):
        return value
    return value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond // 1000:03d}"


# --- the helper itself -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stdout",
    [
        '{"type":"RECORD","record":{"stream":"s","data":{},"emitted_at":"soon"}}\n',  # emitted_at not an integer
        '{"type":"RECORD","record":{"stream":"s","data":{"x":NaN},"emitted_at":1}}\n',  # NaN is not JSON
        '{"type":"RECORD","state":{"type":"STREAM"}}\n',  # payload does not match the type
        '{"type":"LOG","log":{"level":"INFO","message":"x"},"extra":1}\n',  # not a protocol key
        '{"type":"NOPE"}\n',
        '{"type":"LOG","log":{"level":"INFO","message":"x"}}\n\n',  # a blank line
        "Starting up...\n",  # a stray print
        '{"type":"LOG","log":{"level":"INFO","message":"x"}}',  # cut off (no final newline)
    ],
)
def test_helper_rejects_invalid_lines(stdout: str) -> None:
    with pytest.raises(ProtocolViolation):
        assert_valid_protocol(stdout)


def test_helper_accepts_valid_lines() -> None:
    stdout = (
        '{"type":"LOG","log":{"level":"INFO","message":"x"}}\n'
        '{"type":"RECORD","record":{"stream":"s","namespace":"n","data":{"a":[1,{"b":null}]},"emitted_at":1}}\n'
    )
    assert [m.type for m in assert_valid_protocol(stdout)] == [Type.LOG, Type.RECORD]


# --- the stdout reader ---------------------------------------------------------------------------------------
def _child(code: str) -> subprocess.Popen[str]:
    """A Python child that runs `code` and then waits for its stdin to close (a connector that stays alive)."""
    script = f"import sys\n{code}\nsys.stdout.flush()\nsys.stdin.read()"
    return subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


LOG_LINE = '{"type":"LOG","log":{"level":"INFO","message":"%s"}}'


def test_reader_deadline_fires_without_output() -> None:
    process = _child("")
    try:
        reader = StdoutReader(process)
        with pytest.raises(AssertionError, match="no output from the connector"):
            reader.next_message(0.5)
    finally:
        assert process.stdin is not None
        process.stdin.close()
    assert reader.finish(30) == []


def test_reader_drains_more_than_a_pipe_buffer_while_the_process_runs() -> None:
    """4,000 lines (about 220 KB, well over a 64 KiB pipe): all read while the child is still alive."""
    process = _child(f"for i in range(4000): print({LOG_LINE!r} % i)")
    try:
        reader = StdoutReader(process)
        reader.until(lambda m: m["log"]["message"] == "3999", timeout=60)
        assert process.poll() is None, "the child must still be running: its output was drained, not waited for"
    finally:
        assert process.stdin is not None
        process.stdin.close()
    assert [m["log"]["message"] for m in reader.finish(30)] == [str(i) for i in range(4000)]


def test_reader_validates_every_line() -> None:
    process = _child('print(\'{"type":"RECORD","record":{"stream":"s","data":{"x":NaN},"emitted_at":1}}\')')
    try:
        reader = StdoutReader(process)
        with pytest.raises(ProtocolViolation):
            reader.next_message(60)
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(30)


# --- the one subprocess environment ---------------------------------------------------------------------------

# What a developer's shell may hold: botocore honours each (service endpoints before AWS_ENDPOINT_URL; the IGNORE
# flag drops the configured endpoints; a profile or config file can carry endpoints and keys), so each would
# send a run to real AWS instead of the stand-in.
# https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
BOGUS_ENDPOINT = "http://127.0.0.1:9"  # the discard port: nothing answers there
BOGUS_ENDPOINTS = {f"AWS_ENDPOINT_URL_{service}": BOGUS_ENDPOINT for service in ("ATHENA", "S3", "GLUE", "STS")}
LEAKY_SHELL = {
    **BOGUS_ENDPOINTS,
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true",
    "AWS_PROFILE": "skoot-no-such-profile",
    "AWS_CONFIG_FILE": "/nonexistent/aws-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
    "AWS_ACCESS_KEY_ID": "AKIAREALLOOKINGKEY00",
}


def test_connector_env_keeps_only_the_stand_ins_aws_variables(athena: LocalAthena) -> None:
    env = connector_env(athena.env(), parent={**LEAKY_SHELL, "HOME": "/home/someone", "aws_profile": "x"})
    assert env == {**athena.env(), "HOME": "/home/someone"}


def _check_reaches_the_stand_in(athena: LocalAthena, env: dict[str, str]) -> bool:
    """Run `check` with exactly `env`; True when the stand-in saw its GetWorkGroup call."""
    config = {**DEMO_CONFIG, "query_timeout_ms": 5000}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.json"
        path.write_text(json.dumps(config))
        proc = subprocess.run(
            [EXECUTABLE, "check", "--config", str(path)], env=env, capture_output=True, text=True, timeout=240
        )
    assert_valid_protocol(proc.stdout)
    return athena.calls["athena:GetWorkGroup"] > 0


def test_aws_variables_of_the_callers_shell_do_not_reach_the_connector(
    athena: LocalAthena, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bogus service endpoints are set in this (the parent) process: a connector run still talks to the stand-in.

    (AWS_PROFILE and the config files are left out here: the stand-in's own boto3 clients run in this process.)
    """
    for variable, value in BOGUS_ENDPOINTS.items():
        monkeypatch.setenv(variable, value)
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    run = run_connector("check", athena.env(), config=DEMO_CONFIG)
    assert run.connection_status == {"status": "SUCCEEDED"}, run.connection_status
    assert athena.calls["athena:GetWorkGroup"] == 1


def test_the_leaked_endpoint_would_have_sent_the_connector_elsewhere(
    athena: LocalAthena, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control for the test above: without sanitising, botocore does use the caller's Athena endpoint."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_ATHENA", BOGUS_ENDPOINT)
    assert not _check_reaches_the_stand_in(athena, {**os.environ, **athena.env()})
    assert _check_reaches_the_stand_in(athena, connector_env(athena.env()))


# --- verbs -------------------------------------------------------------------------------------------------


def test_spec(run_verb: Any) -> None:
    run = run_verb("spec")
    assert run.returncode == 0
    (message,) = run.of(Type.SPEC)
    assert message.spec is not None
    properties = message.spec.connectionSpecification["properties"]
    ordered = sorted(properties.values(), key=lambda p: p.get("order", 1_000))
    assert [p["title"] for p in ordered[: len(SPEC_TITLES)]] == SPEC_TITLES
    assert properties["access_key_id"]["airbyte_secret"] is True
    assert properties["secret_access_key"]["airbyte_secret"] is True
    assert properties["session_token"]["airbyte_secret"] is True
    assert properties["external_id"]["airbyte_secret"] is True


def test_check_succeeds_on_the_demo(run_verb: Any) -> None:
    run = run_verb("check", canary_config())
    assert run.returncode == 0
    (message,) = run.of(Type.CONNECTION_STATUS)
    assert message.connectionStatus is not None
    assert message.connectionStatus.status == Status.SUCCEEDED


@pytest.mark.parametrize(
    "changes",
    [
        {"access_key_id": CANARY_TEMPORARY_KEY_ID, "session_token": CANARY_SESSION_TOKEN},
        {"role_arn": "arn:aws:iam::123456789012:role/SkootCanary", "external_id": CANARY_EXTERNAL_ID},
    ],
    ids=["session-token", "role-external-id"],
)
def test_check_with_the_optional_secrets_never_prints_them(run_verb: Any, changes: dict[str, str]) -> None:
    """The stand-in (not enforcing IAM) accepts any keys and lets any role be assumed: check succeeds, and
    run_verb asserts the session token and external ID appear nowhere."""
    run = run_verb("check", canary_config(**changes))
    (message,) = run.of(Type.CONNECTION_STATUS)
    assert message.connectionStatus is not None and message.connectionStatus.status == Status.SUCCEEDED


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"session_token": CANARY_SESSION_TOKEN}, "session_token"),  # with a long-term AKIA key
        ({"external_id": CANARY_EXTERNAL_ID}, "external_id"),  # without a role
    ],
)
def test_config_errors_about_the_optional_secrets_name_them_without_echo(
    run_verb: Any, changes: dict[str, str], field: str
) -> None:
    run = run_verb("check", canary_config(**changes))
    (message,) = run.of(Type.CONNECTION_STATUS)
    assert message.connectionStatus is not None and message.connectionStatus.status == Status.FAILED
    assert f"({field})" in (message.connectionStatus.message or "")


def test_check_fails_cleanly_on_invalid_config(run_verb: Any) -> None:
    config = {**load("invalid_config.json"), "access_key_id": CANARY_KEY_ID, "secret_access_key": CANARY_SECRET}
    run = run_verb("check", config)
    assert run.returncode == 0  # a failed check is a status, not a crash
    (message,) = run.of(Type.CONNECTION_STATUS)
    assert message.connectionStatus is not None
    assert message.connectionStatus.status == Status.FAILED
    assert config["workgroup"] in (message.connectionStatus.message or "")


def test_check_fails_without_leaking_when_aws_echoes_the_key(run_verb: Any, athena: LocalAthena) -> None:
    """An AWS error whose text carries the access key ID (as S3's InvalidAccessKeyId does) is not printed raw."""
    athena.faults.error(
        "athena:GetWorkGroup",
        "UnrecognizedClientException",
        message=f"The security token included in the request is invalid. AWSAccessKeyId: {CANARY_KEY_ID}",
    )
    run = run_verb("check", canary_config())
    (message,) = run.of(Type.CONNECTION_STATUS)
    assert message.connectionStatus is not None
    assert message.connectionStatus.status == Status.FAILED
    assert "rejected the keys" in (message.connectionStatus.message or "")
    assert athena.calls["athena:GetWorkGroup"] == 1, "the fault (and its echoed key) was really served"
    # The point of this test (run_verb checks it for every run as well): the echoed key ID is not printed.
    assert CANARY_KEY_ID not in run.stdout + run.stderr


def test_discover_matches_configured_catalog(run_verb: Any) -> None:
    """configured_catalog.json holds exactly what discover reports (same schemas, namespaces, sync modes)."""
    run = run_verb("discover", canary_config())
    assert run.returncode == 0
    (message,) = run.of(Type.CATALOG)
    assert message.catalog is not None
    discovered = {s.name: s.model_dump(mode="json", exclude_none=True) for s in message.catalog.streams}
    configured = {c["stream"]["name"]: c["stream"] for c in load("configured_catalog.json")["streams"]}
    assert set(discovered) == DEMO_STREAMS
    assert discovered == configured


def test_read_full_refresh(run_verb: Any) -> None:
    catalog = load("configured_catalog.json")
    run = run_verb("read", canary_config(), catalog=catalog)
    assert run.returncode == 0
    assert not run.error_traces()
    for configured in catalog["streams"]:
        name = configured["stream"]["name"]
        rows = run.records(name)
        assert len(rows) == len(demo_lake.expected_rows(name)), name
        validator = jsonschema.Draft7Validator(configured["stream"]["json_schema"])
        for row in rows:
            validator.validate(row)
    assert {m.record.namespace for m in run.of(Type.RECORD) if m.record} == {"entertainment"}
    assert set(run.final_states()) == DEMO_STREAMS
    statuses = [m.trace.stream_status for m in run.of(Type.TRACE) if m.trace and m.trace.stream_status]
    complete = {s.stream_descriptor.name for s in statuses if s.status.value == "COMPLETE"}
    assert complete == DEMO_STREAMS


def test_read_with_sample_state_reads_from_the_cursor(run_verb: Any) -> None:
    state = load("sample_state.json")
    cursors = saved_cursors("sample_state.json")
    fields = {"ratings": "rated_at", "movies": "release_date"}
    run = run_verb("read", canary_config(), catalog=incremental_catalog(), state=state)
    assert run.returncode == 0
    for stream, field in fields.items():
        expected = [r for r in demo_lake.expected_rows(stream) if r[field] and athena_text(r[field]) >= cursors[stream]]
        got = run.records(stream)
        assert 0 < len(got) < len(demo_lake.expected_rows(stream)), stream
        assert len(got) == len(expected), stream
        assert all(r[field].replace("T", " ") >= cursors[stream] for r in got), stream
        final = run.final_states()[stream]
        assert final["cursor_field"] == field
        assert final["cursor"] == athena_text(max(r[field] for r in expected))
    assert len(run.records("catalog_items")) == len(demo_lake.expected_rows("catalog_items"))  # full refresh


def test_read_with_abnormal_state_reads_nothing_new(run_verb: Any) -> None:
    state = load("abnormal_state.json")
    cursors = saved_cursors("abnormal_state.json")
    run = run_verb("read", canary_config(), catalog=incremental_catalog(), state=state)
    assert run.returncode == 0
    counts = Counter(m.record.stream for m in run.of(Type.RECORD) if m.record)
    assert counts["ratings"] == 0 and counts["movies"] == 0
    assert counts["catalog_items"] == len(demo_lake.expected_rows("catalog_items"))
    finals = run.final_states()
    for stream, cursor in cursors.items():
        assert finals[stream]["cursor"] == cursor  # the cursor never moves backwards


def test_read_unknown_stream_is_a_clear_error(run_verb: Any) -> None:
    catalog = load("configured_catalog.json")
    ghost = copy.deepcopy(catalog["streams"][0])
    ghost["stream"]["name"] = "no_such_table"
    run = run_verb("read", canary_config(), catalog={"streams": [ghost]})
    errors = run.error_traces()
    assert run.returncode != 0 or errors
    assert any("no_such_table" in (e.message or "") for e in errors), run.stdout[-2000:]


# --- config errors: clear, naming the field, never a traceback ----------------------------------------------

CONFIG_ERRORS = [
    pytest.param("check", {"aws_region": None}, "aws_region", id="check-missing-region"),
    pytest.param("discover", {"aws_region": None}, "aws_region", id="discover-missing-region"),
    pytest.param("read", {"aws_region": None}, "aws_region", id="read-missing-region"),
    pytest.param("check", {"query_timeout_ms": 10}, "query_timeout_ms", id="check-timeout-10"),
    pytest.param("read", {"query_timeout_ms": 10}, "query_timeout_ms", id="read-timeout-10"),
    pytest.param("check", {"access_key_id": SHORT_KEY_ID}, "access_key_id", id="check-short-key-id"),
    pytest.param("read", {"access_key_id": SHORT_KEY_ID}, "access_key_id", id="read-short-key-id"),
    pytest.param("discover", {"secret_access_key": 12345}, "secret_access_key", id="discover-secret-not-text"),
    pytest.param("discover", {"workgroup": ""}, "workgroup", id="discover-empty-workgroup"),
    pytest.param("check", {"secret_access_key": None}, "secret_access_key", id="check-missing-secret"),
]


@pytest.mark.parametrize(("verb", "changes", "field"), CONFIG_ERRORS)
def test_config_error_names_the_field(run_verb: Any, verb: str, changes: dict[str, Any], field: str) -> None:
    config = canary_config()
    for key, value in changes.items():
        if value is None:
            del config[key]
        else:
            config[key] = value
    catalog = load("configured_catalog.json") if verb == "read" else None
    run = run_verb(verb, config, catalog=catalog)
    assert not run.of(Type.RECORD)
    if verb == "check":
        (message,) = run.of(Type.CONNECTION_STATUS)
        assert message.connectionStatus is not None
        assert message.connectionStatus.status == Status.FAILED
        text = message.connectionStatus.message or ""
    else:
        assert run.returncode != 0
        errors = run.error_traces()
        assert len(errors) == 1, run.stdout
        assert errors[0].failure_type == FailureType.config_error
        assert not errors[0].stack_trace
        text = errors[0].message or ""
    assert field in text, text
