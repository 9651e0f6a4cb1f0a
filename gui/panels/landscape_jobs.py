"""The loss landscape's grid as a job for the worker process (Qt-free: the child imports no Qt).

A ``GridRequest`` is frozen when it is made, on the window's thread: the graph as its file
text (``fileformat.dumps``: values round-trip exactly), the training columns and the
trajectory as the job's own arrays — so the learner may go on editing, training or clicking
while the grid is computed. ``compute`` is the one code path (the tests call it directly,
the window through landscape_worker.py's process): graphcore.landscape's ``parameter_grid``
or ``path_grid`` on the graph read back from that text.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from graphcore import fileformat, landscape
from graphcore.errors import GraphError

MODES = ("pair", "path")


@dataclass(frozen=True)
class GridRequest:
    """What to draw: ``mode`` "pair" (parameters ``p1``, ``p2`` ± ``span`` around their values
    in the graph) or "path" (the plane of ``trajectory``'s two main directions)."""

    serial: int
    graph_text: str
    data: dict | None
    mode: str
    p1: str | None = None
    p2: str | None = None
    span: float | None = None
    trajectory: np.ndarray | None = None
    resolution: int = landscape.RESOLUTION


def freeze(serial: int, graph, data, mode: str, **kw) -> GridRequest:
    """A request holding its own copy of everything it reads."""
    if mode not in MODES:
        raise ValueError(f"unknown landscape mode {mode!r}")
    data = None if data is None else {c: np.array(v, dtype=float) for c, v in data.items()}
    traj = kw.pop("trajectory", None)
    traj = None if traj is None else np.array(traj, dtype=float)
    # Compact JSON, for the worker only: json's C encoder (the file's indented form runs the
    # pure-Python one, ~0.3 s for 10,000 boxes after every change); ASCII escapes keep any
    # lone surrogate in a label encodable, as fileformat.dumps does.
    text = json.dumps(fileformat.to_dict(graph), ensure_ascii=True, allow_nan=False)
    return GridRequest(serial, text, data, mode, trajectory=traj, **kw)


def compute(req: GridRequest) -> landscape.Landscape:
    """The grid the request asks for; a refusal raises GraphError with a one-line message."""
    graph = fileformat.loads(req.graph_text)
    if req.mode == "pair":
        return landscape.parameter_grid(graph, req.p1, req.p2, span=req.span, resolution=req.resolution,
                                        data=req.data)
    if req.trajectory is None or len(req.trajectory) < 2:
        raise GraphError("train first: the path's main directions need a training path of at least two epochs")
    return landscape.path_grid(graph, req.trajectory, span=req.span, resolution=req.resolution, data=req.data)


def answer(req: GridRequest) -> tuple[bool, object]:
    """(True, Landscape) or (False, the one-line message): never raises."""
    try:
        return True, compute(req)
    except GraphError as exc:
        return False, str(exc)
    except Exception as exc:  # noqa: BLE001 - a grid must never take the window down
        return False, f"cannot draw the landscape: {exc}"


def main(argv=None):
    """``python -m gui.panels.landscape_jobs FD``: serve the window on socket FD (landscape_worker.py)."""
    import sys
    from multiprocessing.connection import Connection
    args = sys.argv[1:] if argv is None else argv
    serve(Connection(int(args[0])))


def serve(conn):
    """The worker process: answer (ticket, request) messages until the window's end of the pipe closes."""
    while True:
        try:
            ticket, req = conn.recv()
        except (EOFError, OSError):
            return
        ok, payload = answer(req)
        try:
            conn.send((ticket, ok, payload))
        except (BrokenPipeError, OSError):
            return


if __name__ == "__main__":
    main()
