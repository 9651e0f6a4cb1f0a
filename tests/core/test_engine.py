"""The engine: the course's numbers, the cost J of SPEC §1, broadcasting, fan-out, the plan cache,
non-finite values naming the first box, and the step-through trace."""
import numpy as np
import pytest

from graphcore.engine import compile_graph, evaluate, trace
from graphcore.errors import (DataError, DomainError, MissingDataError, NonFiniteError,
                              UnwiredPortError)
from graphcore.graph import Graph


def build(spec, loss=None, **values):
    """spec: list of (id, op, [sources...], attrs). Sources are ids or 'id:k'."""
    g = Graph()
    for node, op, ins, attrs in spec:
        kw = {}
        if op in ("parameter", "constant", "input") and node in values:
            kw["value"] = values[node]
        if op == "input" and node not in values:
            kw["column"] = node
        g.add_node(op, node, attrs=attrs, **kw)
        for port, src in enumerate(ins):
            s, _, out = src.partition(":")
            g.connect(s, node, port, int(out or 0))
    if loss:
        g.set_meta("loss", loss)
    return g


def course_graph(a=5.0, b=3.0, c=2.0):
    """J = 3(a + bc): u = bc, v = a + u, J = 3v — the lecture's example."""
    return build([("a", "parameter", [], None), ("b", "parameter", [], None), ("c", "parameter", [], None),
                  ("three", "constant", [], None), ("u", "mul", ["b", "c"], None), ("v", "add", ["a", "u"], None),
                  ("J", "mul", ["three", "v"], None)], "J", a=a, b=b, c=c, three=3.0)


def test_course_example_gives_the_course_numbers():
    ev = evaluate(course_graph())
    assert ev.cost == 33.0
    assert [float(ev.grad(k)) for k in "abc"] == [3.0, 6.0, 9.0]
    assert float(ev.grad("v")) == 3.0 and float(ev.grad("u")) == 3.0
    assert float(ev.value("u")) == 6.0 and float(ev.value("v")) == 11.0
    assert ev.param_grads.tolist() == [3.0, 6.0, 9.0] and ev.plan.param_ids == ["a", "b", "c"]


def logistic(data_cols=("x",)):
    return build([("x", "input", [], None), ("w", "parameter", [], None), ("bias", "parameter", [], None),
                  ("y", "input", [], None), ("z0", "mul", ["w", "x"], None), ("z", "add", ["z0", "bias"], None),
                  ("p", "sigmoid", ["z"], None), ("L", "bce", ["p", "y"], None)], "L", w=0.5, bias=-0.25)


def test_per_sample_loss_cost_is_the_mean_and_parameter_gradients_are_scalars():
    g = logistic()
    x, y = np.array([0.1, 0.9, 0.4, -1.0]), np.array([0.0, 1.0, 1.0, 0.0])
    ev = compile_graph(g).run({"x": x, "y": y})
    p = 1 / (1 + np.exp(-(0.5 * x - 0.25)))
    L = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert ev.cost == pytest.approx(L.mean(), rel=1e-14) and ev.m == 4
    # dJ/dw = 1/m Σ (pᵢ − yᵢ) xᵢ, dJ/db = 1/m Σ (pᵢ − yᵢ): textbook logistic regression
    assert float(ev.grad("w")) == pytest.approx(((p - y) * x).mean(), rel=1e-12)
    assert float(ev.grad("bias")) == pytest.approx((p - y).mean(), rel=1e-12)
    assert ev.grad("w").shape == () and ev.grad("x").shape == (4,)
    assert np.allclose(ev.grad("L"), 0.25) and np.allclose(ev.grad("x"), (p - y) * 0.5 / 4, rtol=1e-12)


def test_scalar_loss_is_the_cost_itself_and_mean_box_gives_the_same():
    g = logistic()
    g.add_node("mean", "J")
    g.connect("L", "J", 0)
    g.set_meta("loss", "J")
    data = {"x": np.array([0.3, -0.7]), "y": np.array([1.0, 0.0])}
    ev1 = compile_graph(g).run(data)
    g.set_meta("loss", "L")
    ev2 = compile_graph(g).run(data)
    assert ev1.cost == pytest.approx(ev2.cost, rel=1e-15)
    assert float(ev1.grad("w")) == pytest.approx(float(ev2.grad("w")), rel=1e-14)


def test_plan_is_cached_until_the_structure_changes():
    g = course_graph()
    p1 = compile_graph(g)
    g.set_value("a", 1.0)
    assert compile_graph(g) is p1, "a value change needs no new plan"
    assert evaluate(g).cost == 3 * (1 + 6)
    g.add_node("exp", "e")
    g.connect("J", "e", 0)
    assert compile_graph(g) is not p1


def test_params_override_sources_by_order_or_by_id():
    plan = compile_graph(course_graph())
    assert plan.run(params=[1.0, 1.0, 1.0]).cost == 6.0
    assert plan.run(params={"c": 0.0, "three": 2.0}).cost == 10.0


def test_unwired_port_is_an_error_naming_box_and_port_and_partial_plan_skips_it():
    g = course_graph()
    g.disconnect("u", 1)
    with pytest.raises(UnwiredPortError, match=r"box 'u' \(mul\) has an unwired input port: 1 \(b\)") as e:
        compile_graph(g)
    assert e.value.nodes == ("u",)
    plan = compile_graph(g, partial=True)
    assert plan.unwired == {"u": [1]} and plan.incomplete == ["u", "v", "J"]
    ev = plan.run()
    assert ev.cost is None and "a" in ev.values_dict() and "u" not in ev.values_dict()


def test_missing_data_and_bad_columns():
    g = logistic()
    with pytest.raises(MissingDataError, match="input box 'x' has no data"):
        compile_graph(g).run()
    with pytest.raises(MissingDataError, match="no column 'y'"):
        compile_graph(g).run({"x": np.zeros(3)})
    with pytest.raises(DataError, match="column 'y'"):
        compile_graph(g).run({"x": np.zeros(3), "y": np.zeros(4)})


def test_domain_error_names_the_box():
    g = build([("x", "parameter", [], None), ("l", "log", ["x"], None)], "l", x=-1.0)
    with pytest.raises(DomainError, match=r"box 'l' \(log\): log of -1") as e:
        evaluate(g)
    assert e.value.nodes == ("l",)


def test_non_finite_forward_names_the_first_box_and_the_sample():
    # e1 = exp(x) overflows at sample 1; e2 = exp(e1) downstream also would — e1 is named
    g = build([("x", "input", [], None), ("e1", "exp", ["x"], None), ("e2", "exp", ["e1"], None),
               ("d", "inv", ["x"], None), ("s", "add", ["e2", "d"], None)], "s")
    with pytest.raises(NonFiniteError) as e:
        compile_graph(g).run({"x": np.array([1.0, 800.0, 2.0])})
    assert e.value.nodes == ("e1",) and e.value.phase == "forward"
    assert "box 'e1' (exp) produced inf at sample 1" in str(e.value)
    # inv of 0 (no overflow upstream): inv is the first
    with pytest.raises(NonFiniteError) as e:
        compile_graph(g).run({"x": np.array([0.0, 1.0])})
    assert e.value.nodes == ("d",)


def test_non_finite_backward_names_the_first_box_going_back():
    # pow(x, 0.5) at x = 0 is fine forward (0) but its local derivative is infinite
    g = build([("x", "parameter", [], None), ("r", "pow", ["x"], {"exponent": 0.5}),
               ("t", "tanh", ["r"], None)], "t", x=0.0)
    with pytest.raises(NonFiniteError) as e:
        evaluate(g)
    assert e.value.nodes == ("r",) and e.value.phase == "backward" and "backward" in str(e.value)


def test_fan_out_sums_and_broadcast_scalar_gradient_is_the_sum_over_samples():
    # f = w·x + w·w  with w scalar and x per-sample; J = mean f
    g = build([("x", "input", [], None), ("w", "parameter", [], None), ("a", "mul", ["w", "x"], None),
               ("b", "mul", ["w", "w"], None), ("f", "add", ["a", "b"], None)], "f", w=1.5)
    x = np.array([1.0, 2.0, 6.0])
    ev = compile_graph(g).run({"x": x})
    assert float(ev.grad("w")) == pytest.approx(x.mean() + 2 * 1.5, rel=1e-15)
    # b = w·w is a scalar broadcast into the per-sample add: its gradient is the sum over the
    # samples of dJ/dfᵢ = 1/m, a scalar like b itself
    assert ev.grad("b").shape == () and float(ev.grad("b")) == pytest.approx(1.0, rel=1e-15)
    assert ev.grad("a").shape == (3,) and np.allclose(ev.grad("a"), 1 / 3)


def test_gradient_has_the_shape_of_its_variable():
    g = build([("x", "input", [], None), ("w", "parameter", [], None), ("a", "mul", ["w", "x"], None),
               ("k", "constant", [], None), ("b", "add", ["k", "w"], None), ("f", "add", ["a", "b"], None)],
              "f", w=1.5, k=2.0)
    ev = compile_graph(g).run({"x": np.array([1.0, 2.0])})
    for key, v in ev.values_dict().items():
        assert np.shape(ev.grads_dict()[key]) == np.shape(v), key
    assert float(ev.grad("b")) == 1.0 and float(ev.grad("k")) == 1.0


def softmax_graph():
    return build([("z0", "parameter", [], None), ("z1", "parameter", [], None), ("z2", "parameter", [], None),
                  ("s", "softmax", ["z0", "z1", "z2"], {"k": 3}), ("w", "constant", [], None),
                  ("a", "mul", ["s:0", "w"], None), ("f", "add", ["a", "s:2"], None)], "f",
                 z0=0.2, z1=-1.0, z2=0.7, w=3.0)


def test_softmax_backward_is_the_vector_jacobian_product_and_unread_outputs_get_zero():
    ev = evaluate(softmax_graph())
    z = np.array([0.2, -1.0, 0.7])
    s = np.exp(z) / np.exp(z).sum()
    up = np.array([3.0, 0.0, 1.0])  # dJ/ds: s0 weighted 3, s1 unread, s2 once
    jac = np.diag(s) - np.outer(s, s)
    assert np.allclose([float(ev.grad(f"z{j}")) for j in range(3)], up @ jac, rtol=1e-13)
    assert ev.grad("s:1") is None and float(ev.grads_dict()["s:1"]) == 0.0  # J does not read s:1
    assert ev.cost == pytest.approx(3 * s[0] + s[2], rel=1e-15)


def test_loss_can_name_an_output_port():
    g = softmax_graph()
    g.set_meta("loss", "s:2")
    ev = evaluate(g)
    assert ev.cost == float(ev.value("s:2"))


def test_trace_lists_forward_then_backward_with_local_upstream_downstream():
    g = course_graph()
    ev = evaluate(g)
    steps = trace(ev)
    fw = [s for s in steps if s.phase == "forward"]
    bw = [s for s in steps if s.phase == "backward"]
    assert steps[:len(fw)] == fw, "all forward steps come first"
    assert [s.node for s in fw] == g.topological_order()
    assert [s.node for s in bw][:3] == ["J", "v", "u"]
    j = bw[0]
    assert j.is_seed and float(j.upstream[0]) == 1.0
    assert [float(v) for v in j.local] == [11.0, 3.0]  # mul swaps: ∂J/∂three = v, ∂J/∂v = three
    assert [float(v) for v in j.downstream] == [11.0, 3.0]
    u = next(s for s in bw if s.node == "u")
    assert [float(v) for v in u.local] == [2.0, 3.0] and float(u.upstream[0]) == 3.0
    assert [float(v) for v in u.downstream] == [6.0, 9.0]
    src = {s.node: s for s in bw if s.op == "parameter"}
    assert float(src["b"].upstream[0]) == 6.0


def test_trace_contributions_sum_to_each_gradient_including_fan_out_and_softmax():
    for g, data in [(softmax_graph(), None), (build(
            [("x", "input", [], None), ("w", "parameter", [], None), ("a", "mul", ["w", "x"], None),
             ("b", "mul", ["w", "w"], None), ("f", "add", ["a", "b"], None), ("q", "square", ["a"], None),
             ("h", "add", ["f", "q"], None)], "h", w=0.5), {"x": np.array([1.0, -2.0, 3.0])})]:
        ev = compile_graph(g).run(data)
        steps = trace(ev)
        seen = set()
        for s in steps:
            if s.phase != "backward":
                continue
            for key, terms in s.contributions.items():
                seen.add(key)
                if terms:
                    assert np.allclose(sum(t.value for t in terms), ev.grad(key), rtol=1e-14), key
        assert {"w", "a"} <= seen or {"z0", "s:0"} <= seen
    # w feeds mul 'a' once and mul 'b' on both ports: three contributions
    w_step = next(s for s in steps if s.phase == "backward" and s.node == "w")
    assert sorted((t.node, t.port) for t in w_step.contributions["w"]) == [("a", 0), ("b", 0), ("b", 1)]


def test_trace_without_backward_has_forward_steps_only():
    ev = compile_graph(course_graph()).run(backward=False)
    assert ev.grads is None and all(s.phase == "forward" for s in trace(ev))


def test_predict_by_threshold_and_by_softmax_argmax():
    g = logistic()
    g.set_meta("output", "p")
    plan = compile_graph(g)
    ev = plan.run({"x": np.array([-10.0, 10.0]), "y": np.array([0.0, 1.0])})
    assert plan.predict(ev).tolist() == [0.0, 1.0]
    g = softmax_graph()
    g.set_meta("output", "s")
    plan = compile_graph(g)
    assert plan.predict(plan.run()).tolist() == 2.0
