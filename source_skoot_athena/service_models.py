"""botocore's model files (service models, endpoint rules, endpoints.json) parsed with orjson.

Why: every run makes its clients first, and botocore parses ≈ 5 MB of JSON for them (endpoints.json, the Glue and
S3 models, S3's endpoint rules) with `json` and an OrderedDict per object: ≈ 50 ms of the ≈ 0.35 s of CPU before
a read's first query. orjson parses the same files 3–6× faster (docs/benchmarks.md, issue 17). Its dicts keep the
files' key order as OrderedDict did. orjson would read an integer beyond 64 bits as a float: none of botocore's
1,977 model files has one (the largest is 2^63 - 1), and unit_tests/test_service_models.py compares every file a
run loads with botocore's own parse. botocore lets a session's loader take another file loader
(`Loader.file_loader`, with JSONFileLoader's `exists` / `load_file` interface: botocore/loaders.py).

Also: before loading a model, botocore checks the service is known by listing every service it has, a directory
listing and a file check in each of its ≈ 450 service folders, twice (service model, endpoint rules): ≈ 20 ms. The
session's loader here answers "is this service known" from that service's folder alone, and builds the full list
only when something asks for it (the same list: unit_tests/test_service_models.py).
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, overload

import botocore.exceptions
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


class KnownServices(Sequence[str]):
    """The services that have a `type_name` file, as botocore's `Loader.list_available_services` lists them; `in`
    looks at the one service's folder, the whole list is built on first use of anything else."""

    def __init__(self, loader: FastLoader, type_name: str) -> None:
        self._loader = loader
        self._type_name = type_name
        self._all: list[str] | None = None

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        if not any(os.path.isdir(os.path.join(path, name)) for path in self._loader.search_paths):
            return False  # as botocore lists services: folders only (its version lookup would also take a file)
        try:
            return bool(self._loader.list_api_versions(name, self._type_name))
        except botocore.exceptions.DataNotFoundError:
            return False

    def _names(self) -> list[str]:
        if self._all is None:
            self._all = botocore.loaders.Loader.list_available_services(self._loader, self._type_name)
        return self._all

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._names()[index]

    def __len__(self) -> int:
        return len(self._names())

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())


class FastLoader(botocore.loaders.Loader):
    """botocore's Loader with FastJSONFileLoader and KnownServices (module docstring)."""

    def __init__(self, search_paths: list[str]) -> None:
        super().__init__(
            extra_search_paths=search_paths, file_loader=FastJSONFileLoader(), include_default_search_paths=False
        )
        self._known: dict[str, KnownServices] = {}

    def list_available_services(self, type_name: str) -> KnownServices:
        if type_name not in self._known:
            self._known[type_name] = KnownServices(self, type_name)
        return self._known[type_name]


def parse_models_fast(session: botocore.session.Session) -> None:
    """Make the session's clients load their models with FastLoader (before its first client), from the same
    folders as the loader botocore made (its own data, ~/.aws/models, AWS_DATA_PATH)."""
    session.register_component("data_loader", FastLoader(session.get_component("data_loader").search_paths))
