""" "Compiling…" with a busy bar, over the top of a plot while a new structure compiles."""

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from app.gui.style import BASE_POINT_SIZE

COMPILING = "compiling the step (first run of these settings)…"


class BusyOverlay(QWidget):
    def __init__(self, parent):
        super().__init__(parent)
        self.label = QLabel(COMPILING, objectName="compilingLabel")
        self.bar = QProgressBar(textVisible=False)
        self.bar.setRange(0, 0)  # no figure: Qt animates it as busy
        self.bar.setFixedWidth(80)
        layout = QHBoxLayout(self)
        layout.addWidget(self.bar)
        layout.addWidget(self.label)
        self.setAutoFillBackground(True)
        self.hide()

    def apply_look(self, look):
        self.label.setStyleSheet(f"color: {look.foreground}; font-size: {look.pt(BASE_POINT_SIZE + 2)}pt;")
        self.setStyleSheet(f"background: {look.background};")
        self.place()

    def place(self):
        plot = self.parentWidget()
        self.adjustSize()
        self.move(max((plot.width() - self.width()) // 2, 0), plot.height() // 4)
