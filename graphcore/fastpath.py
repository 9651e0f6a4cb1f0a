"""The fast path of ``Plan.run``: the compiled plan as straight-line numpy code.

``Plan.run`` (engine.py) is the reference: a loop over the plan's steps that checks every
box's output as it goes. For a graph of scalar boxes that loop, not the arithmetic, is
most of the time. Here the same plan is written out once as one Python function — one
line per box forward, one line per downstream gradient backward, in the reference's
order — and compiled in-process with ``compile()``. It is generated from the VALIDATED
plan only: identifiers come from slot numbers (``v12`` is Variable slot 12, ``g12`` its
dJ/dv), attribute values are written as ``repr`` of floats, and nothing a user typed (box
ids, labels, columns) ever reaches the source text.

Same numbers, bit for bit: each line is printed from the catalogue's own expression tree for
that box — the tree the engine's kernels are printed from — so it does the same operations in
the same order (``local × upstream`` per port, fan-out summed in the reference's order, a
scalar used for every sample reduced by the same ``sum``). softmax and cross_entropy, whose
kernels are written by hand in the catalogue, are called as they are.

Same errors: instead of testing every box's output for nan/inf (a numpy call per box),
the kernel tests all outputs at once — once after forward, once after backward. If
anything is non-finite, or anything raises, or the feed is anything but plain (data
columns of one length, scalar parameters), the fast path gives up and ``Plan.run`` runs
the reference loop, which raises the exact error naming the first box (NonFiniteError,
DomainError for log of x ≤ 0, MissingDataError, ...). Non-finite values are absorbing
under ``+`` and ``sum``, so a bad contribution can never hide in an accumulated gradient.

No per-sample Python loop anywhere, no networkx and no dict look-ups per step: the feed
reads data columns and parameter values by position, graph values are snapshotted until
``graph.values_version`` moves, and kernels are cached per shape signature (which
sources are per-sample). Kernels hold no buffers between runs, so a plan is safe to run
from two threads (the window and a trainer) at once.

The source is written by kernel_emitter.py; this module feeds, compiles, caches and runs it.
"""
from __future__ import annotations

import functools

import numpy as np

from . import feed_rule, fusion, fusion_kernel
from .evaluation import Evaluation
from .kernel_emitter import Emitter, all_finite, paused_gc, put
# the emitter's figures and rules, read here by tests and benchmarks
from .kernel_emitter import CHUNK_LINES, LONG, propagates, templates  # noqa: F401

ENABLED = True  # tests flip this to compare with the reference loop

_A = functools.partial(np.asarray, dtype=float)


def kernel_source(plan, source_vec: tuple[bool, ...], grads: str = "all") -> tuple[str, dict]:
    """The generated source of one kernel and the names it may call (for tests and reading)."""
    em = Emitter(plan, source_vec, grads)
    texts, *_ = em.emit()
    return "\n".join(texts), em.ns


class Kernel:
    """One compiled plan for one shape signature: forward functions, one test, backward functions, one test."""

    def __init__(self, plan, source_vec: tuple[bool, ...], grads: str = "all"):
        em = Emitter(plan, source_vec, grads)
        texts, fwd, bwd, outs, grads = em.emit()
        for text in texts:  # one at a time: compiling them as one module costs more than linear time
            exec(compile(text, "<graphcore.fastpath kernel>", "exec"), em.ns)  # noqa: S102 — from slot numbers
        self.forward = [em.ns[n] for n in fwd]
        self.backward = [em.ns[n] for n in bwd]
        self.n = len(plan.keys)
        self.src_slots = tuple(s.slot for s in plan.sources)
        self.out_vec = [o for o in outs if em.vec[o]]
        self.out_sca = [o for o in outs if not em.vec[o]]
        self.grad_vec = [s for s in grads if em.vec[s]]
        self.grad_sca = [s for s in grads if not em.vec[s]]

    def __call__(self, S: list, backward: bool):
        V = [None] * self.n
        put(V, self.src_slots, S)
        for f in self.forward:
            f(V)
        if not all_finite(V, self.out_vec, self.out_sca):
            return None
        if not backward:
            return V, None
        G = [None] * self.n
        for f in self.backward:
            f(V, G)
        if not all_finite(G, self.grad_vec, self.grad_sca):
            return None
        return V, G



# --- running ---------------------------------------------------------------------------------
_INPUT, _PARAM, _CONSTANT = 0, 1, 2


class FastPlan:
    """The fast path for one Plan: feed by position, cached kernels, one finiteness test per phase."""

    def __init__(self, plan):
        self.plan = plan
        self.graph = plan.graph
        self.kinds = [_INPUT if s.op == "input" else _PARAM if s.op == "parameter" else _CONSTANT for s in plan.sources]
        self.nodes = [s.node for s in plan.sources]
        self.param_pos = [i for i, k in enumerate(self.kinds) if k == _PARAM]  # in param_ids order
        self.input_pos = [i for i, k in enumerate(self.kinds) if k == _INPUT]
        self.other_pos = [i for i, k in enumerate(self.kinds) if k != _INPUT]
        self._lean: frozenset | None = None  # positions of the parameters inside fused blocks
        self._lean_snapshot: list | None = None
        self._pairs = [(pos, i) for i, pos in enumerate(self.param_pos)]
        self._loose: list | None = None
        self.kernels: dict[tuple[bool, ...], object] = {}
        self._snapshot: list | None = None
        self._snapshot_version = None

    def _graph_values(self, lean: frozenset = frozenset()) -> list:
        """Source values from the graph, re-read only when a value changed (None at the
        positions in ``lean``: the parameters a fused kernel reads from its vector)."""
        vv = (self.graph.version, self.graph.values_version)
        if self._snapshot_version != vv:
            self._snapshot = [_frozen(self.graph.value(n)) if k != _INPUT else None
                              for n, k in zip(self.nodes, self.kinds, strict=True)]
            self._snapshot_version = vv
            self._lean_snapshot = None
        if not lean:
            return self._snapshot
        if self._lean_snapshot is None:
            self._lean_snapshot = [None if i in lean else v for i, v in enumerate(self._snapshot)]
        return self._lean_snapshot

    def feed(self, data, params) -> tuple[list, int | None] | None:
        """Source values in ``plan.sources`` order and m, as Plan.feed gives them; None when
        the feed is unusual (the reference then handles it, and raises where it should)."""
        fed = self._feed(data, params)
        return None if fed is None else fed[:2]

    def _feed(self, data, params, lean: frozenset = frozenset()):
        """(values, m, shape signature, parameter vector) — the signature None when a value given
        in ``params`` is not a plain scalar (run() then looks at every shape); the vector (the
        parameters in param_ids order) None unless ``params`` came as one, whole. With that
        vector, the parameters at the positions in ``lean`` are left None (a fused kernel reads
        them from the vector)."""
        plan = self.plan
        m = arr = None
        plain = True
        if isinstance(params, np.ndarray) and params.ndim == 1 and params.dtype.kind in "fiu":
            arr = np.array(params, dtype=float)  # a copy: this run's values are its own
        if arr is None or len(arr) != len(self.param_pos):
            lean = frozenset()  # the parameters come one by one
        S = list(self._graph_values(lean))
        vec = [False] * len(S)
        if params is not None and not isinstance(params, dict):
            if arr is not None:
                pairs = self._pairs if not lean else self._loose_pairs(lean)
                for pos, i in pairs[:len(arr)]:  # as zip(param_ids, params)
                    S[pos] = arr[i, ...]  # a 0-d view: as np.asarray(params[i]) but cheaper
            else:
                for pos, v in zip(self.param_pos, params, strict=False):
                    S[pos] = v = _A(v)
                    plain = plain and v.ndim == 0
            params = None
        for i in self.input_pos:
            src = plan.sources[i]
            if params is not None and src.node in params:
                S[i] = v = _A(params[src.node])
                plain = False
                continue
            how, col = src.feed(data)
            if how == feed_rule.COLUMN:
                v = _A(data[col])
                if v.ndim != 1 or (m is not None and len(v) != m) or len(v) == 0:
                    return None
                m = len(v)
                S[i] = v
                vec[i] = True
            elif how == feed_rule.VALUE:
                S[i] = _A(src.value)
            else:
                return None
        if params is not None:
            for i in self.other_pos:
                if self.nodes[i] in params:
                    S[i] = _A(params[self.nodes[i]])
                    plain = False
        if arr is not None and len(arr) != len(self.param_pos):
            arr = None
        return S, m, (tuple(vec) if plain else None), arr

    def run(self, data, params, backward: bool, grads: str = "all"):
        plan = self.plan
        if plan.version != self.graph.version:
            return None  # a stale plan: the reference says what it says
        fuse = fusion.wanted(plan)
        fed = self._feed(data, params, self._lean_positions() if fuse else frozenset())
        if fed is None:
            return None
        S, m, sig, theta = fed
        if sig is None:
            lengths = {len(v) for v in S if v.ndim}
            if any(v.ndim > 1 for v in S) or len(lengths) > 1:
                return None
            sig = tuple(bool(v.ndim) for v in S)
        backward = backward and plan.loss_slot is not None
        result = self._run_fused(S, sig, grads, backward, theta) if fuse else None
        if result is None:
            if theta is not None:
                for pos, i in zip(self.param_pos, range(len(theta)), strict=True):
                    if S[pos] is None:
                        S[pos] = theta[i, ...]  # the parameters a fused kernel would have read from theta
            kernel = self._kernel((sig, grads), build_kernel, plan, sig, grads)
            try:
                with np.errstate(all="ignore"):
                    result = kernel(S, backward)
            except Exception:  # noqa: BLE001 — the reference loop raises the precise error
                return None
        if result is None:
            return None
        values, grads = result[:2]
        ev = Evaluation(plan, values, None, None, m)
        if plan.loss_slot is not None:
            loss = values[plan.loss_slot]
            with np.errstate(all="ignore"):  # a mean that overflows is caught just below
                # np.mean is this sum over this count (the same numbers), at less call overhead
                ev.cost = float(np.add.reduce(loss)) / loss.size if loss.ndim else float(loss)
            if not np.isfinite(ev.cost):
                return None  # the reference loop names the box
            if grads is not None:
                ev.grads = grads
                if len(result) > 2:
                    ev.fused_param_grads = result[2]  # dJ/dθ in param_ids order, as one vector
        return ev

    # --- for epoch_lane.py: a full-batch Trainer's step straight into the fused kernel ------
    def feed_lean(self, data, params):
        """``_feed`` with the fused blocks' parameters left to the vector (None when unusual)."""
        return self._feed(data, params, self._lean_positions())

    def loose_parameters(self) -> list:
        """(position in the sources, index in θ) of the parameters the kernel reads from the
        sources (those outside the fused blocks)."""
        lean = self._lean_positions()
        return self._loose_pairs(lean) if lean else self._pairs

    def fused_kernel(self, sig):
        """The fused kernel for this shape and ``grads="params"``, or None."""
        found = fusion.blocks(self.plan)
        if not found or sig is None:
            return None
        kernel = self._kernel((sig, "params", "fused"), fusion_kernel.build, self.plan, sig, "params", found)
        return None if kernel is _no_kernel else kernel

    def _kernel(self, key, make, *args):
        kernel = self.kernels.get(key)
        if kernel is None:
            try:
                kernel = make(*args)
            except Exception:  # noqa: BLE001 — never worse than the reference (or the unfused kernel): use it
                kernel = _no_kernel
            self.kernels[key] = kernel
        return kernel

    def _loose_pairs(self, lean: frozenset) -> list:
        if self._loose is None:
            self._loose = [(pos, i) for pos, i in self._pairs if pos not in lean]
        return self._loose

    def _lean_positions(self) -> frozenset:
        if self._lean is None:
            slots = {w for b in fusion.blocks(self.plan) for u in b.units for w in [*u.ws, u.bias] if w is not None}
            self._lean = frozenset(i for i in self.param_pos if self.plan.sources[i].slot in slots)
        return self._lean

    def _run_fused(self, S, sig, grads, backward, theta):
        """The kernel with the dense blocks as matrices (fusion.py); None when the plan has no
        block, this shape cannot use them (the unfused kernel runs), or a value is not finite."""
        found = fusion.blocks(self.plan)
        if not found:
            return None
        kernel = self._kernel((sig, grads, "fused"), fusion_kernel.build, self.plan, sig, grads, found)
        if kernel is _no_kernel:
            return None
        if theta is None:
            theta = np.array([S[i] for i in self.param_pos], dtype=float)  # 0-d arrays, every one given
        try:
            with np.errstate(all="ignore"):
                return kernel(S, backward, theta)
        except Exception:  # noqa: BLE001 — the unfused kernel, then the reference loop, say what is wrong
            return None


def _frozen(value) -> np.ndarray:
    """A graph value shared by every run until it changes: read-only, so no one edits it in place."""
    a = np.array(value, dtype=float)
    a.flags.writeable = False
    return a


def _no_kernel(S, backward):
    return None


def build_kernel(plan, source_vec: tuple[bool, ...], grads: str = "all") -> Kernel:
    """Made once per plan and shape. The cyclic garbage collector is paused meanwhile: the
    many small strings made here would set it off again and again over a growing heap."""
    return paused_gc(Kernel, plan, source_vec, grads)
