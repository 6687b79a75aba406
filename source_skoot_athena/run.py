"""Console script `source-skoot-athena`: spec | check | discover | read, as Airbyte runs it."""

from __future__ import annotations

import sys

from source_skoot_athena.entrypoint import launch


def run() -> None:
    sys.exit(launch(sys.argv[1:]))
