"""Guard: the patches target moto 5.2.5's internals; fail loudly, naming the pin, if they moved.

Why: a silent moto upgrade would otherwise turn the stand-in back into canned-result moto and tests would
pass for the wrong reasons.
"""

from __future__ import annotations

import inspect

import moto

PINNED = "5.2.5"


class MotoVersionError(RuntimeError):
    """moto is not the version the patches were written against."""


def check_moto() -> None:
    """Raise MotoVersionError unless moto==5.2.5 with every function/signature the patches rely on."""
    problems: list[str] = []
    if moto.__version__ != PINNED:
        problems.append(f"installed moto is {moto.__version__}")
    try:
        from moto.athena.models import AthenaBackend, WorkGroup
        from moto.athena.responses import AthenaResponse
        from moto.core.responses import ActionResult
        from moto.glue.models import FakeTable, GlueBackend
        from moto.glue.responses import GlueResponse
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from moto.s3.models import S3Backend

        from . import patches_athena, patches_athena_catalog, patches_glue

        for name in patches_athena.PATCHED + patches_athena_catalog.PATCHED:
            if not callable(getattr(AthenaResponse, name, None)):
                problems.append(f"AthenaResponse.{name} missing")
        for name in patches_glue.PATCHED:
            if not callable(getattr(GlueResponse, name, None)):
                problems.append(f"GlueResponse.{name} missing")
        expectations = {
            S3Backend.put_object: ["bucket_name", "key_name", "value"],
            S3Backend.get_object: ["bucket_name", "key_name"],
            S3Backend.create_bucket: ["bucket_name", "region_name"],
            GlueBackend.create_database: ["database_name", "database_input"],
            GlueBackend.create_table: ["database_name", "table_name", "table_input"],
            GlueBackend.create_partition: ["database_name", "table_name", "part_input"],
            AthenaBackend.create_work_group: ["name", "configuration", "description", "tags"],
            FakeTable.as_dict: [],
            DomainDispatcherApplication.__init__: ["create_app"],
        }
        for func, params in expectations.items():
            have = list(inspect.signature(func).parameters)  # type: ignore[arg-type]
            missing = [p for p in params if p not in have]
            if missing:
                problems.append(f"{func.__qualname__} lacks parameters {missing}")
        problems.extend(_missing_attributes(WorkGroup, AthenaResponse, GlueResponse))
        _ = (ActionResult, MotoRequestHandler, create_backend_app)
    except (ImportError, AttributeError, ValueError, TypeError) as e:
        problems.append(f"{type(e).__name__}: {e}")
    if problems:
        raise MotoVersionError(
            f"The local Athena stand-in requires moto=={PINNED} (pinned in setup.py); its patches no longer fit: "
            + "; ".join(problems)
        )


def _missing_attributes(*classes: type) -> list[str]:
    """The attributes (or constructor parameters) the patches use that these moto classes lack."""
    from moto.s3.models import FakeKey

    workgroup, athena_response, glue_response = classes
    problems = []
    for cls, attr in ((workgroup, "configuration"), (athena_response, "_get_param"), (glue_response, "glue_backend")):
        if not hasattr(cls, attr) and attr not in inspect.signature(cls).parameters:
            problems.append(f"{cls.__name__}.{attr} missing")
    if not isinstance(getattr(FakeKey, "etag", None), property):  # moto_state.put_object computes it on write
        problems.append("FakeKey.etag is not a property")
    return problems
