"""Seeded random computation graphs: for tests that compare with PyTorch and for benchmarks.

``random_graph(n_boxes, seed)`` builds a valid, acyclic graph of exactly ``n_boxes`` boxes
that (once it is big enough, about 150 boxes) uses every Function of the catalogue —
softmax with several outputs, cross_entropy with its class port, pow and leaky_relu with
their attrs, mean and sum — and names a loss.

The generator evaluates every Variable as it builds (on ``m`` samples when ``with_data``,
else on scalars) and only wires a port to a value that is well inside the Function's
domain and away from its kinks and ties: log, pow and inv get values bounded away from
0 (wrapping a Variable in exp, softplus or sigmoid when none fits), bce a probability in
(0.05, 0.95), relu/abs/leaky_relu an input at least ``MARGIN`` from 0, max/min/lt/gt two
inputs at least ``MARGIN`` apart on every sample (or the very same Variable, a clean tie),
cross_entropy a class index that is a constant or a data column of whole numbers. So that
training on mini-batches stays finite, those domain ports are never fed a parameter directly
nor a value downstream of a mean or sum over samples (it changes with the batch). Every
value stays within ±``BOUND``, so derivatives stay moderate, and a central difference
with ε = 1e-6 never crosses a kink.

Variables nobody reads are summed (``add`` boxes) into the loss at the end; a few
``identity`` (or a ``mean``) boxes pad the count to exactly ``n_boxes``. Boxes are added
in topological order and arrows always run from an earlier box to a later one, so
``Graph.connect``'s cycle check costs nothing and building is linear in ``n_boxes``.
"""
from __future__ import annotations

import numpy as np

from . import functions as F
from .graph import Graph
from .variable_ref import VariableRef

MARGIN = 0.05  # distance from a kink or a tie
BOUND = 30.0  # every value stays within ±BOUND
TRIES = 6
# needs whose violation gives nan or inf, not just a kink (and bce's target: torch refuses one outside [0, 1])
DOMAINS = ("pos", "away0", "prob", "unit")
FRESH = 0.15  # share of ports wired to a fresh source: many parameters and inputs, not a few
ALL_OPS = tuple(op for op in F.CATALOGUE if op not in F.SOURCE_OPS)

# What an input port needs, per op (ports not listed take any value).
_NEEDS = {
    "inv": ("away0",), "log": ("pos",), "pow": ("pos",),
    "div": (None, "away0"), "abs": ("kink",), "relu": ("kink",), "leaky_relu": ("kink",),
    "bce": ("prob", "unit"),
}
_PAIRED = ("max", "min", "lt", "gt", "eq")  # second input apart from (or the same as) the first
_SAME_OK = ("max", "min", "eq", "mul", "add", "sub", "squared_error")  # x∘x is worth testing


def _fits(need: str | None, v: np.ndarray) -> bool:
    if need is None:
        return True
    if need == "pos":
        return bool(np.all(v > 0.3))
    if need == "away0":
        return bool(np.all(np.abs(v) > 0.3))
    if need == "kink":
        return bool(np.all(np.abs(v) > MARGIN))
    if need == "prob":
        return bool(np.all((v > 0.05) & (v < 0.95)))
    if need == "unit":
        return bool(np.all((v >= 0) & (v <= 1)))
    raise ValueError(need)


class _Builder:
    def __init__(self, seed: int, ops, with_data: bool, m: int):
        self.rng = np.random.default_rng(seed)
        self.g = Graph(f"random graph (seed {seed})")
        self.ops = list(ops)
        self.allowed = set(self.ops)
        self.m = m if with_data else None
        self.data: dict[str, np.ndarray] | None = {} if with_data else None
        self.keys: list[str] = []  # every Variable that may feed a port
        self.val: dict[str, np.ndarray] = {}
        self.src: dict[str, str] = {}  # Variable key -> (box, out) as "box" or "box:k"
        self.dangling: list[str] = []  # Variables no box reads yet
        self.dpos: dict[str, int] = {}
        self.classes: dict[int, list[str]] = {}  # k -> sources of whole-number class indices
        self.batch_dependent: set[str] = set()  # Variables downstream of a mean or sum over samples
        self.params: set[str] = set()  # parameter boxes: training moves them
        self.queue: list[str] = []

    # --- bookkeeping --------------------------------------------------------------------
    def _new_var(self, key: str, ref: tuple[str, int], value, reusable: bool = True):
        self.val[key] = np.asarray(value, dtype=float)
        self.src[key] = ref
        if reusable:
            self.keys.append(key)
        self.dpos[key] = len(self.dangling)
        self.dangling.append(key)

    def _consume(self, key: str):
        i = self.dpos.pop(key, None)
        if i is None:
            return
        last = self.dangling.pop()
        if last != key:
            self.dangling[i] = last
            self.dpos[last] = i

    def _wire(self, key: str, dst: str, port: int):
        node, out = self.src[key]
        self.g.connect(node, dst, port, out)
        self._consume(key)

    # --- sources --------------------------------------------------------------------------
    def _sample(self, need: str | None, shape):
        r = self.rng
        if need == "pos":
            return r.uniform(0.4, 2.0, shape)
        if need in ("away0", "kink"):
            return r.choice([-1.0, 1.0], shape) * r.uniform(0.4, 2.0, shape)
        if need == "prob":
            return r.uniform(0.1, 0.9, shape)
        if need == "unit":
            return r.integers(0, 2, shape).astype(float) if r.random() < 0.5 else r.uniform(0, 1, shape)
        return r.uniform(-2.0, 2.0, shape)

    def source(self, value_for=None, need: str | None = None, column: bool = False) -> str:
        """A fresh input, parameter or constant box whose value meets ``need``.

        ``value_for(shape)`` overrides the sampled value (for a value apart from another)."""
        r, g = self.rng, self.g
        u = r.random()
        if self.m is not None and (u < 0.4 or column):
            col = f"x{len(self.data)}"
            v = value_for((self.m,)) if value_for else self._sample(need, (self.m,))
            node = g.add_node("input", g.unique_id(col), column=col)
            self.data[col] = v
        else:
            # with a data set every input reads a column; without one an input has a value
            op = ("parameter" if u < 0.85 else "constant") if self.m is not None or u >= 0.3 else "input"
            if op == "parameter" and need in DOMAINS:  # training must not move it out of the domain
                op = "constant"
            v = value_for(()) if value_for else self._sample(need, ())
            node = g.add_node(op, value=float(v))
            if op == "parameter":
                self.params.add(node)
        self._new_var(node, (node, 0), v)
        return node

    def class_source(self, k: int) -> str:
        """Whole-number class indices 0..k−1: a data column, or a constant (never checked)."""
        have = self.classes.setdefault(k, [])
        if have and self.rng.random() < 0.5:
            return have[int(self.rng.integers(len(have)))]
        g = self.g
        if self.m is not None:
            col = f"class{k}_{len(have)}"
            node = g.add_node("input", g.unique_id(col), column=col)
            v = self.rng.integers(0, k, self.m).astype(float)
            self.data[col] = v
        else:
            v = float(self.rng.integers(0, k))
            node = g.add_node("constant", g.unique_id(f"class{k}_"), value=v)
        self._new_var(node, (node, 0), v, reusable=False)
        self._consume(node)  # a class index is never a loss term
        have.append(node)
        return node

    # --- choosing an input ------------------------------------------------------------------
    def candidate(self) -> str | None:
        if not self.keys:
            return None
        if self.dangling and self.rng.random() < 0.5:  # prefer unread Variables: fewer loss terms
            return self.dangling[int(self.rng.integers(len(self.dangling)))]
        return self.keys[int(self.rng.integers(len(self.keys)))]

    def pick(self, need: str | None, ok=None) -> str:
        """A Variable that fits ``need`` (and ``ok(value)``): an existing one, one wrapped in
        exp/softplus/sigmoid/tanh, or a fresh source."""
        ok = ok or (lambda v: True)
        if self.rng.random() < FRESH:
            return self.source(need=need)
        for _ in range(TRIES):
            key = self.candidate()
            if key is not None and self._usable(key, need) and _fits(need, self.val[key]) and ok(self.val[key]):
                return key
        if need in ("pos", "away0", "prob", "kink"):
            wrappers = {"pos": ("exp", "softplus", "sigmoid"), "away0": ("exp", "softplus"),
                        "prob": ("sigmoid",), "kink": ("tanh", "sin", "exp")}[need]
            for _ in range(TRIES):
                key, w = self.candidate(), wrappers[int(self.rng.integers(len(wrappers)))]
                if key is None or w not in self.allowed or not self._usable(key, need):
                    continue
                v = F.run_forward(F.CATALOGUE[w], [self.val[key]], {})[0]
                if np.all(np.isfinite(v)) and np.all(np.abs(v) < BOUND) and _fits(need, v) and ok(v):
                    node = self.g.add_node(w)
                    self._wire(key, node, 0)
                    self._new_var(node, (node, 0), v)
                    if key in self.batch_dependent:
                        self.batch_dependent.add(node)
                    return node
        return self.source(need=need)

    def _usable(self, key: str, need: str | None) -> bool:
        """A value that depends on which samples are in the batch (downstream of a mean or
        sum over data) may leave a domain on another batch, and training moves a parameter:
        keep both away from the ports of log, inv, pow, div and bce where that gives nan or inf."""
        return need not in DOMAINS or (key not in self.batch_dependent and key not in self.params)

    def apart_from(self, a: np.ndarray) -> str:
        """A Variable at least MARGIN away from ``a`` on every sample."""
        for _ in range(TRIES):
            key = self.candidate()
            if key is not None and np.all(np.abs(self.val[key] - a) > MARGIN):
                return key

        def value_for(shape):
            step = self.rng.uniform(0.2, 1.0, shape)
            if shape == ():
                return float(a.max() + step) if self.rng.random() < 0.5 else float(a.min() - step)
            return a + self.rng.choice([-1.0, 1.0], shape) * step
        return self.source(value_for)

    # --- one Function box ----------------------------------------------------------------------
    def attrs_for(self, op: str) -> dict:
        r = self.rng
        if op == "pow":
            return {"exponent": float(r.choice([2.0, 3.0, 0.5, 1.5, -1.0, -0.5, 2.5]))}
        if op == "leaky_relu":
            return {} if r.random() < 0.3 else {"slope": float(r.choice([0.1, 0.2, 0.3]))}
        if op in ("softmax", "cross_entropy"):
            return {"k": int(r.integers(2, 5))}
        return {}

    def next_op(self) -> str:
        if not self.queue:  # every op once per round, in a fresh random order
            self.queue = list(self.rng.permutation(self.ops))
        return str(self.queue.pop())

    def step(self):
        op = self.next_op()
        fn, attrs = F.CATALOGUE[op], self.attrs_for(op)
        resolved = fn.resolve_attrs(attrs)
        n_in = fn.n_inputs(resolved)
        for _ in range(2):
            ins = self.choose_inputs(op, n_in, resolved)
            xs = [self.val[k] for k in ins]
            outs = F.run_forward(fn, xs, resolved)
            if all(np.all(np.isfinite(o)) and np.all(np.abs(o) < BOUND) for o in outs):
                break
        else:  # nothing fitting: give up on this op this time (sources made on the way stay)
            return
        node = self.g.add_node(op, attrs=attrs or None)
        for port, key in enumerate(ins):
            self._wire(key, node, port)
        depends = any(k in self.batch_dependent for k in ins) or (
            fn.reduces and any(self.val[k].ndim for k in ins))
        keys = VariableRef.keys_of(node, len(outs))
        for i, (key, o) in enumerate(zip(keys, outs)):
            self._new_var(key, (node, i), o)
            if depends:
                self.batch_dependent.add(key)
        if len(outs) > 1:
            if self.rng.random() < 0.3:  # leave some softmax outputs unread: their dJ/dv is 0
                for i in range(1, len(outs)):
                    self._consume(keys[i])

    def choose_inputs(self, op: str, n_in: int, attrs: dict) -> list[str]:
        r = self.rng
        if op == "cross_entropy":
            k = attrs["k"]
            return [self.pick(None) for _ in range(k)] + [self.class_source(k)]
        if op == "softmax":  # now and then one Variable on two ports: fan-out into a Jacobian
            zs = [self.pick(None) for _ in range(attrs["k"])]
            if r.random() < 0.2:
                zs[-1] = zs[0]
            return zs
        if op in ("mean", "sum") and self.m is not None:
            per_sample = [k for k in self.keys[-50:] if self.val[k].ndim]
            if per_sample:
                return [per_sample[int(r.integers(len(per_sample)))]]
        needs = _NEEDS.get(op, (None,) * n_in)
        if op == "pow" and attrs["exponent"] < 0:
            needs = ("pos",)
        first = self.pick(needs[0])
        if n_in == 1:
            return [first]
        if op in _SAME_OK and r.random() < 0.15:
            return [first, first]
        if op in _PAIRED:
            return [first, self.apart_from(self.val[first])]
        return [first, self.pick(needs[1])]

    # --- the loss -----------------------------------------------------------------------------
    def finish(self, n_boxes: int) -> str:
        g = self.g
        if not self.dangling:
            self.source()
        # Sum the unread Variables pairwise (a balanced tree keeps the graph shallow).
        terms = list(self.dangling)
        while len(terms) > 1:
            nxt = []
            for a, b in zip(terms[0::2], terms[1::2]):
                node = g.add_node("add")
                self._wire(a, node, 0)
                self._wire(b, node, 1)
                self._new_var(node, (node, 0), self.val[a] + self.val[b])
                nxt.append(node)
            if len(terms) % 2:
                nxt.append(terms[-1])
            terms = nxt
        root = terms[0]
        pad = n_boxes - len(g)
        for i in range(pad):
            op = "mean" if i == 0 and "mean" in self.allowed and self.rng.random() < 0.5 else "identity"
            node = g.add_node(op)
            self._wire(root, node, 0)
            v = self.val[root]
            self._new_var(node, (node, 0), np.asarray(v.mean()) if op == "mean" else v)
            root = node
        node, out = self.src[root]
        return VariableRef.of_output(node, out, g.n_outputs(node)).key


# A step makes at most two tries at wiring a box, each adding at most 5 sources or
# wrappers (cross_entropy with k = 4) that may stay unread, then the box itself with up to
# 4 unread outputs (softmax): keep room for that and for the adds that sum the loss.
_STEP_ROOM = 24


def random_graph(n_boxes: int, seed: int, ops: list[str] | None = None, with_data: bool = False,
                 m: int = 20) -> tuple[Graph, dict | None]:
    """A random graph of exactly ``n_boxes`` boxes and (when ``with_data``) its data columns.

    ``ops`` limits the Function boxes chosen at random (default: the whole catalogue; the
    loss is still formed with ``add``, ``identity`` and possibly ``mean`` boxes). Returns
    ``(graph, data)`` where ``data`` maps each input box's column to an array of ``m``
    numbers, or is None when ``with_data`` is false (inputs then carry a ``value``)."""
    if not isinstance(n_boxes, int) or n_boxes < 1:
        raise ValueError(f"n_boxes must be a whole number ≥ 1, not {n_boxes!r}")
    if with_data and m < 1:
        raise ValueError(f"m must be ≥ 1, not {m!r}")
    ops = list(ALL_OPS if ops is None else ops)
    unknown = [op for op in ops if op not in ALL_OPS]
    if unknown or not ops:
        raise ValueError(f"ops must be Function names from the catalogue (not sources), got {unknown or ops}")
    b = _Builder(seed, ops, with_data, m)
    with b.g.batch():
        if n_boxes > _STEP_ROOM:
            for _ in range(2 if with_data else 1):
                b.source(column=True)
        while len(b.g) + len(b.dangling) - 1 + _STEP_ROOM < n_boxes:
            b.step()
        loss = b.finish(n_boxes)
        b.g.set_meta("loss", loss)
    b.g.version = 0
    return b.g, b.data
