"""The read path keeps pandas out of the process: pyarrow would import it (≈ 57 MB) on the first Python value it
converts. Run in a fresh interpreter, since the test process may have imported pandas already."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
import pyarrow as pa
from source_skoot_athena.memory import release_memory_promptly
from source_skoot_athena.encoding import RecordEncoder
from source_skoot_athena.types import parse_type

release_memory_promptly()
batch = pa.RecordBatch.from_arrays(
    [pa.array(['plain', 'needs "escaping"\\n', None]), pa.array([1.5, float('nan'), None]), pa.array([{'k': 1}, None, {}], pa.map_(pa.string(), pa.int64()))],
    names=['s', 'f', 'm'],
)
encoder = RecordEncoder('s', None, [('s', parse_type('string')), ('f', parse_type('double')), ('m', parse_type('map<string,bigint>'))])
lines = encoder.encode(batch, 1).splitlines()
assert len(lines) == 3 and b'needs \\\\"escaping\\\\"\\\\n' in lines[1], lines
assert 'pandas' not in sys.modules, 'pyarrow imported pandas'
import pandas
assert pa.table({'a': [1]}).to_pandas().shape == (1, 1)
assert pa.array(pandas.Series([1, 2])).type == pa.int64()
print('ok')
"""


def test_encoding_a_batch_does_not_import_pandas_and_pandas_still_works_when_imported() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "ok"
