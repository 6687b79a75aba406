"""GetWorkGroup's answer -> Workgroup, as AWS shapes it (absent parts omitted, not null)."""

from __future__ import annotations

from source_skoot_athena.workgroup import ENGINE_V1, Workgroup


def test_a_full_answer_is_read_into_every_field() -> None:
    workgroup = Workgroup.from_response(
        {
            "Name": "skoot",
            "State": "DISABLED",
            "Configuration": {
                "ResultConfiguration": {"OutputLocation": "s3://results/athena/"},
                "EnforceWorkGroupConfiguration": True,
                "EngineVersion": {"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"},
            },
        }
    )
    assert workgroup == Workgroup(
        name="skoot",
        state="DISABLED",
        result_location="s3://results/athena/",
        engine_version="Athena engine version 3",
        enforced=True,
    )
    assert workgroup.has_unload


def test_absent_parts_are_none_and_an_unknown_engine_is_assumed_current() -> None:
    workgroup = Workgroup.from_response({"Name": "primary", "Configuration": {"ResultConfiguration": {}}})
    assert (workgroup.state, workgroup.result_location, workgroup.engine_version, workgroup.enforced) == (
        "ENABLED",
        None,
        None,
        False,
    )
    assert workgroup.has_unload


def test_engine_version_1_has_no_unload() -> None:
    answer = {"Name": "old", "Configuration": {"EngineVersion": {"EffectiveEngineVersion": ENGINE_V1}}}
    assert not Workgroup.from_response(answer).has_unload
