"""Picture of the Plots' Layers tab after training a lesson (the README's figure).

    python -m gui.panels.layers_screenshot GRAPH OUT.png [--bars] [--size 640x360]

Trains GRAPH with its own settings (headless Trainer) and draws the tab from its History:
the gradient size per layer over the epochs (``--bars``: the bars of the last epoch).
"""
from __future__ import annotations

import argparse
import os
import sys


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m gui.panels.layers_screenshot")
    p.add_argument("graph")
    p.add_argument("out")
    p.add_argument("--bars", action="store_true")
    p.add_argument("--size", default="640x360")
    args = p.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from graphcore import fileformat
    from graphcore.training import Trainer
    from gui.panels.plots_groups import LayerGradients

    app = QApplication.instance() or QApplication(sys.argv)
    graph = fileformat.load(args.graph)
    trainer = Trainer(graph)
    trainer.train()
    widget = LayerGradients()
    widget.over_epochs.setChecked(not args.bars)
    w, h = (int(v) for v in args.size.split("x"))
    widget.resize(w, h)
    widget.show()
    widget.show_graph(graph, None, trainer.history)
    for _ in range(5):
        app.processEvents()
    widget.grab().save(args.out)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
