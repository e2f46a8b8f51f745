"""The model side of the app: plain numpy, no Qt and no JAX (a test walks every module).

`RunRecord` gathers a run's chunks; `Settings` and its field table describe what a run and
its display are set to. The window's views draw these; the headless mode prints them.
"""
