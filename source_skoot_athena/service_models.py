"""botocore's model files (service models, endpoint rules, endpoints.json) parsed with orjson.

Why: every run makes its clients first, and botocore parses ≈ 5 MB of JSON for them (endpoints.json, the Glue and
S3 models, S3's endpoint rules) with `json` and an OrderedDict per object: ≈ 50 ms of the ≈ 0.35 s of CPU before
a read's first query. orjson parses the same files 3–6× faster (docs/benchmarks.md, issue 17). Its dicts keep the
files' key order as OrderedDict did. orjson would read an integer beyond 64 bits as a float: none of botocore's
1,977 model files has one (the largest is 2^63 - 1), and unit_tests/test_service_models.py compares every file a
run loads with botocore's own parse. botocore lets a session's loader take another file loader
(`Loader.file_loader`, with JSONFileLoader's `exists` / `load_file` interface: botocore/loaders.py).
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable
from typing import Any

import botocore.loaders
import botocore.session
import orjson

# How botocore stores a model: plain or gzipped JSON, tried in this order (botocore/loaders.py, _JSON_OPEN_METHODS).
SUFFIXES: tuple[tuple[str, Callable[..., Any]], ...] = ((".json", open), (".json.gz", gzip.open))


class FastJSONFileLoader(botocore.loaders.JSONFileLoader):
    """JSONFileLoader with orjson's parser (`exists` is botocore's own)."""

    def load_file(self, file_path: str) -> Any:
        """The file's data (`file_path` without its .json / .json.gz suffix), None if there is no such file."""
        for suffix, open_file in SUFFIXES:
            path = file_path + suffix
            if os.path.isfile(path):
                with open_file(path, "rb") as fp:
                    return orjson.loads(fp.read())
        return None


def parse_models_fast(session: botocore.session.Session) -> None:
    """Make the session's clients load their models with FastJSONFileLoader (before its first client)."""
    session.get_component("data_loader").file_loader = FastJSONFileLoader()
