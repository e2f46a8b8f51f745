"""The model side of the app: numpy, psygnal and the standard library, never Qt or JAX (a test
reads every import). `AppModel` holds the window's state and says each change as an event;
`Settings` and its field table describe a run and its display; `RunRecord` gathers a run's
chunks. The window's views draw these; the headless mode prints them.
"""
