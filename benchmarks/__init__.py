"""Benchmarks, outside the package: `python -m benchmarks.headless` and `python -m
benchmarks.window` (offscreen) print every figure beside its target."""
