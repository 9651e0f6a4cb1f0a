"""Entry point of the window: ``backprop-studio [FILE]``."""
from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication.instance() or QApplication(sys.argv if argv is None else ["backprop-studio", *argv])
    win = QMainWindow()
    win.setWindowTitle("Backprop Studio")
    win.resize(1200, 800)
    win.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
