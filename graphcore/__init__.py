"""graphcore: Backprop Studio's Qt-free core — the graph a learner builds, the Function
catalogue, forward and backward passes, derivative checks, training and export."""
from .engine import Evaluation, Plan, StepEvent, compile_graph, evaluate, trace
from .errors import *  # noqa: F401,F403 — the error hierarchy is part of the API
from .fileformat import dumps, load, loads, save
from .functions import CATALOGUE, describe
from .graph import Edge, Graph, GraphEvent

__all__ = ["CATALOGUE", "Edge", "Evaluation", "Graph", "GraphEvent", "Plan", "StepEvent", "compile_graph",
           "describe", "dumps", "evaluate", "load", "loads", "save", "trace"]
