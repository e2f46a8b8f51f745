"""The window: PySide6 and pyqtgraph only. Knows RunConfig and chunks of numpy, never JAX arrays."""


def __getattr__(name):
    if name == "MainWindow":
        from app.gui.main_window import MainWindow

        return MainWindow
    raise AttributeError(f"module 'app.gui' has no attribute {name!r}")
