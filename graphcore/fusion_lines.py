"""The array lines of a fused block's sums (fusion_kernel.py writes them into the kernel).

Z = W·X + b is added in the order the boxes add (so the numbers are theirs, bit for bit):
numpy adds two arrays element by element exactly as two scalar boxes do, and a reduction
over a middle axis adds its rows one after another. Two layouts of the products wⱼᵢ·xᵢ:

* *by rows* — a block over a few separate inputs (a first layer reading the data's
  columns): one (units × samples) product per input, written into the sum as it goes;
  no stacked copy of the data, no (units × inputs × samples) array. dJ/dW is then one
  row sum per input, Σ over the samples of dzⱼ·xᵢ (numpy's pairwise sum, as the box's).
* *stacked* — X already one array (the previous block's H) or many inputs: every product
  at once, PR = W[:, :, None] · X, then the sums over PR's middle axis.
"""
from __future__ import annotations

import numpy as np

ROW_INPUTS = 8  # separate inputs up to which a block is summed by rows (a line per input)


def by_rows(block) -> bool:
    return block.chain is None and len(block.xs) <= ROW_INPUTS


def _chain(n: int) -> list[tuple]:
    """The postfix program of ((p₁ + p₂) + p₃) + … over n products in X's row order."""
    ops = [("x", r) for r in range(n)]
    return ops[:2] + [("+",)] + [op for x in ops[2:] for op in (x, ("+",))]


def sums(block, X: str, rows: list[str] | None, W: str, Z: str, bias: str | None, PR: str) -> list[str]:
    """Lines making Z (units × samples) as the boxes add it; ``rows`` the inputs' names when
    the block is summed by rows, else None (X holds them stacked)."""
    row_of = {x: r for r, x in enumerate(block.xs)}
    prog = [(op[0], row_of[op[1]]) if op[0] == "x" else op for op in block.units[0].prog]
    n = len(block.xs)
    lines = [] if rows else [f"{PR} = {W}[:, :, None] * {X}[None, :, :]"]

    def leaf(r: int) -> str:
        return f"{W}[:, {r}, None] * {rows[r]}" if rows else f"{PR}[:, {r}]"

    chain = _chain(n)
    if n > 1 and prog[:len(chain)] == chain and prog[len(chain):] in ([], [("b",), ("+",)]):
        if rows:
            lines.append(f"{Z} = {leaf(0)}")
            lines += [f"{Z} += {leaf(r)}" for r in range(1, n)]  # in place: the same sum, no new array
        else:
            lines.append(f"{Z} = _add_reduce({PR}, axis=1)")
        if len(prog) > len(chain):
            lines.append(f"{Z} += {bias}")
        return lines
    if not rows:
        return lines + level_sums(prog, PR, Z, bias)
    stack, t = [], 0
    for op in prog:
        if op[0] == "x":
            stack.append(leaf(op[1]))
        elif op[0] == "b":
            stack.append(bias)
        else:
            right, left = stack.pop(), stack.pop()
            lines.append(f"_t{t} = {left} + {right}")
            stack.append(f"_t{t}")
            t += 1
    lines.append(f"{Z} = {stack.pop()}")
    return lines


def _tree(prog: list[tuple]):
    """The postfix program as nodes: a leaf ("x", r), the bias ("b",), or ("+", left, right, level)."""
    stack = []
    for op in prog:
        if op[0] == "+":
            right, left = stack.pop(), stack.pop()
            stack.append(("+", left, right, 1 + max(_level(left), _level(right))))
        else:
            stack.append(op)
    return stack.pop()


def _level(node) -> int:
    return node[3] if node[0] == "+" else 0


def _progression(idx: list[int]) -> str:
    """An index list as a slice when it is one (a view, no copy), else as a list (a gather)."""
    step = idx[1] - idx[0] if len(idx) > 1 else 1
    if step > 0 and all(b - a == step for a, b in zip(idx, idx[1:])):
        return f"{idx[0]}:{idx[-1] + 1}:{step}"
    return repr(idx)


def level_sums(prog: list[tuple], PR: str, Z: str, bias: str | None) -> list[str]:
    """Z from the products PR (units × inputs × samples) by the boxes' add tree, one array
    operation per level of the tree: the adds of a level whose terms lie in the same two
    arrays (the products, or a level's sums) are done as one add over (units × k × samples),
    the terms as slices when they are evenly spaced. Each number is still the sum of the same
    two numbers as the box's, so Z is the boxes' bit for bit, in ~log₂ n lines instead of n."""
    root = _tree(prog)
    nodes: dict[int, list] = {}

    def collect(node):
        if node[0] == "+":
            collect(node[1])
            collect(node[2])
            nodes.setdefault(node[3], []).append(node)
    collect(root)
    where: dict[int, tuple] = {}  # id(node) -> (array name, index) or (expression, None)

    def place(node):
        if node[0] == "x":
            return PR, node[1]
        if node[0] == "b":
            return bias, None
        return where[id(node)]
    lines, n_arr, n_tmp = [], 0, 0
    for level in sorted(nodes):
        groups: dict[tuple, list] = {}
        for node in nodes[level]:
            (a, i), (b, j) = place(node[1]), place(node[2])
            key = (a, b) if i is not None and j is not None else ("one", id(node))
            groups.setdefault(key, []).append(node)
        for key, group in groups.items():
            if len(group) > 1:
                name, n_arr = f"_L{n_arr}", n_arr + 1
                left = _progression([place(n[1])[1] for n in group])
                right = _progression([place(n[2])[1] for n in group])
                lines.append(f"{name} = {key[0]}[:, {left}] + {key[1]}[:, {right}]")
                for k, node in enumerate(group):
                    where[id(node)] = (name, k)
                continue
            node = group[0]
            terms = [f"{a}[:, {i}]" if i is not None else a for a, i in (place(node[1]), place(node[2]))]
            name = Z if node is root else f"_t{n_tmp}"
            n_tmp += node is not root
            lines.append(f"{name} = {terms[0]} + {terms[1]}")
            where[id(node)] = (name, None)
    return lines


def weight_grads(k: int, block, X: str, rows: list[str] | None, dZ: str, gW: str, PG: str,
                 ns: dict, wi: np.ndarray) -> list[str]:
    """dJ/dwⱼᵢ = Σ over the samples of dzⱼ·xᵢ (the pairwise sum each weight's box takes),
    written into the gradient vector PG."""
    if rows:
        lines = []
        for r, row in enumerate(rows):
            ns[f"_WC{k}_{r}"] = wi[:, r].copy()
            lines.append(f"{PG}[_WC{k}_{r}] = _rowsum({dZ} * {row})")
        return lines
    ns[f"_WF{k}"] = wi.ravel()
    return [f"{gW} = _add_reduce({dZ}[:, None, :] * {X}[None, :, :], axis=2)", f"{PG}[_WF{k}] = {gW}.ravel()"]


def activation(op: str, template: str, Z: str) -> str:
    """H = act(Z): the catalogue's printed template, or the same numbers in fewer passes."""
    if op == "sigmoid":
        return f"_sigmoid_2d({Z})"
    return template.format(x0=Z)


def downstream(op: str, template: str, Z: str, H: str, dH: str) -> str:
    """dZ = act'(Z)·dH from the printed template of the local derivative, or the same numbers
    in fewer passes."""
    if op == "relu":  # asfloat(z > 0)·u: u times a boolean is u·1.0 or u·0.0, without the float copy
        return f"{dH} * ({Z} > 0)"
    return template.format(x0=Z, o=H, u=dH)


def sigmoid_2d(x: np.ndarray) -> np.ndarray:
    """functions.sigmoid of a (units × samples) array, the same numbers (1/(1+e) or e/(1+e),
    e = exp(−|x|)) in seven passes instead of nine, three of them in place."""
    e = np.abs(x)
    np.negative(e, out=e)
    np.exp(e, out=e)
    d = e + 1.0
    r = np.where(x >= 0, 1.0, e)
    np.divide(r, d, out=r)
    return r


class ClassRows:
    """(flat index of each sample's class into a (k × m) array, the one-hot (k × m) matrix
    [i = y]) for one head, kept for the last label column when it cannot change: an
    array that owns its data and is read-only (epoch_lane.py freezes the table it steps over
    so), so a full-batch run does not check and index the same labels every epoch."""

    __slots__ = ("last",)

    def __init__(self):
        self.last = None  # (labels, k, result): a reference to the labels keeps their id theirs

    def __call__(self, y: np.ndarray, k: int):
        last = self.last
        if last is not None and last[0] is y and last[1] == k:
            return last[2]
        yi, flat = class_rows(y, k)
        out = flat, (yi == np.arange(k)[:, None]).astype(float)  # the flat index of each z_y, and [i = y]
        if y.flags.owndata and not y.flags.writeable:
            for a in out:
                a.flags.writeable = False
            self.last = (y, k, out)
        return out


def class_rows(y: np.ndarray, k: int):
    """(class of each sample as an int, its flat index into a (k × m) array): the labels of a
    softmax + cross-entropy head. A label that is not a class raises (the unfused run then
    names it, as the catalogue's cross_entropy does)."""
    yi = y.astype(np.int64)
    if not (yi == y).all() or yi.min() < 0 or yi.max() >= k:
        raise ValueError("not a class")
    flat = yi * len(yi)
    flat += np.arange(len(yi))
    return yi, flat
