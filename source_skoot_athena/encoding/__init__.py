"""Arrow record batches -> Airbyte RECORD lines, one column at a time (the read hot path).

Each column becomes a string array of JSON value fragments built with pyarrow compute (`42`, `"a\\nb"`,
`null`, `[1,2]`); `binary_join_element_wise` then interleaves them with the constant key fragments of the
line, and the joined array's value buffer is the output. No per-row Python runs for scalar columns; only
binary values and strings that need JSON escaping go through Python, and only those cells.

- lines.py:   `RecordEncoder`, the line framing
- values.py:  the fragmenter of each Arrow type, nested values, embedded JSON text
- scalars.py: the scalar value rules (numbers, decimals, temporals, binary)
- strings.py: JSON string quoting and escaping
- buffers.py: batch slicing and string-buffer arithmetic
- context.py: what a fragmenter knows of its column

A batch is encoded on one thread. Splitting it over threads (Arrow kernels release the GIL) was faster only
on an idle machine; measured with `python -m bench.bench_records --rows 200000`, 5 runs each, on 2 busy
cores (load 3.6-4.2, as in a sync where Parquet decoding and downloads use the other core): 0.47-0.68M
rows/s with 2 threads against 0.72-1.02M with one. So the option was removed.
"""

from source_skoot_athena.encoding.lines import RecordEncoder
from source_skoot_athena.encoding.strings import quote_strings
from source_skoot_athena.encoding.values import value_fragments

__all__ = ["RecordEncoder", "quote_strings", "value_fragments"]
