"""Benchmarks of source-skoot-athena against its peers on the local Athena stand-in: ``python -m bench``.

``bench_records.py`` (the encoder micro-benchmark) is separate; everything else here is the side-by-side run.
"""
