"""Kehu benchmarks: ``python -m bench`` (see bench/README.md).

Benchmarks print ratios against a baseline measured in the same run; they never assert on absolute
times and are not part of the test suite.
"""
