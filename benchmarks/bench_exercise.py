"""Exercises: what the locks and the tasks cost. A command pushed in an exercise's window asks
whether it touches a locked box and whether every task can still run (before and after);
loading a file reads the lesson block and checks every task. Both as ratios against the same
graph without a lesson. Run: python benchmarks/bench_exercise.py"""
from benchmarks.timing import interleaved

from graphcore import exercise, fileformat
from graphcore.builder import mlp
from gui.commands import MoveCommand

XOR = {"generator": "xor", "n": 100, "seed": 0}
TASKS = [{"id": "p", "kind": "predict_gradient", "box": "b2_1"},
         {"id": "c", "kind": "cost_below", "value": 0.2},
         {"id": "a", "kind": "accuracy_at_least", "value": 0.95},
         {"id": "e", "kind": "build_expression", "expr": "3*(x1 + x2*y)", "inputs": ["x1", "x2", "y"]}]


def graphs():
    plain = mlp(["x1", "x2"], [10], "relu", "bce", dataset=XOR)
    locked = plain.copy()
    sources = [n for n in locked.nodes() if locked.op(n) in ("input", "parameter")]
    exercise.set_lesson(locked, exercise.make_lesson(locked, title="xor", text="", tasks=TASKS,
                                                     locks=sources[:10], hidden=sources[10:12]))
    return plain, locked


def moves(g, n=200):
    """``n`` applied moves of a free box and their undos: what a learner's drags cost."""
    box = [b for b in g.nodes() if b not in exercise.locked(g)][-1]
    x, y = g.layout.get(box, (0.0, 0.0))
    for i in range(n):
        cmd = MoveCommand(g, {box: (x, y)}, {box: (x + i, y)})
        cmd.apply()
        cmd.undo_it()


plain, locked = graphs()
t = interleaved({"plain": lambda: moves(plain), "exercise": lambda: moves(locked)}, 7)
print(f"200 moves + undos, xor network ({len(plain)} boxes): {t['plain'] * 1e3:.1f} ms without a lesson, "
      f"{t['exercise'] * 1e3:.1f} ms with 10 locks, 2 hidden, 4 tasks (ratio {t['exercise'] / t['plain']:.2f}; "
      f"{(t['exercise'] - t['plain']) / 200 * 1e6:.0f} µs more per command)")
texts = {"plain": fileformat.dumps(plain), "exercise": fileformat.dumps(locked)}
t = interleaved({k: (lambda v=v: fileformat.loads(v)) for k, v in texts.items()}, 9)
print(f"load: {t['plain'] * 1e3:.1f} ms without a lesson, {t['exercise'] * 1e3:.1f} ms with it "
      f"(ratio {t['exercise'] / t['plain']:.2f})")
