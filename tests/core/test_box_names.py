"""Messages name boxes by the labels the learner sees; an id appears only to tell apart two
boxes that share a label. ``exc.nodes`` still holds ids, for selecting the box."""
import pytest

from graphcore.engine import compile_graph
from graphcore.errors import CycleError, DomainError, MissingDataError, NonFiniteError, UnwiredPortError
from graphcore.graph import Graph


def graph():
    g = Graph()
    g.add_node("input", "x", label="x₁", value=-1.0)
    g.add_node("log", "l1", label="ln x")
    g.add_node("square", "s7", label="loss")
    g.connect("x", "l1", 0)
    g.connect("l1", "s7", 0)
    g.set_meta("loss", "s7")
    return g


def test_a_domain_error_names_the_label_and_selects_the_id():
    with pytest.raises(DomainError) as e:
        compile_graph(graph()).run()
    assert "box 'ln x' (log)" in str(e.value) and "l1" not in str(e.value)
    assert list(e.value.nodes) == ["l1"]


def test_an_unwired_port_names_the_label():
    g = graph()
    g.disconnect("l1", 0)
    with pytest.raises(UnwiredPortError, match=r"box 'ln x' \(log\) has an unwired input port"):
        compile_graph(g)


def test_missing_data_and_non_finite_name_labels():
    g = graph()
    g.set_value("x", None)
    with pytest.raises(MissingDataError, match="input box 'x₁' has no data"):
        compile_graph(g).run()
    g = Graph()
    g.add_node("input", "x", label="x₁", value=1000.0)
    g.add_node("exp", "e3", label="eˣ")
    g.connect("x", "e3", 0)
    g.set_meta("loss", "e3")
    with pytest.raises(NonFiniteError, match="box 'eˣ' \\(exp\\) produced inf"):
        compile_graph(g).run()


def test_two_boxes_with_one_label_are_told_apart_by_id():
    g = graph()
    g.add_node("log", "l2", label="ln x")
    g.add_node("constant", "c", value=-2.0)
    g.connect("c", "l2", 0)
    g.set_meta("loss", "l2")
    with pytest.raises(DomainError) as e:
        compile_graph(g).run()
    assert "box 'ln x [l2]' (log)" in str(e.value)
    assert g.box_name("s7") == "loss" and g.box_name("l1") == "ln x [l1]"


def test_a_cycle_refusal_names_labels():
    g = graph()
    with pytest.raises(CycleError, match="arrow loss → ln x would make a cycle: 'ln x' already feeds 'loss'"):
        g.connect("s7", "l1", 0, replace=True)


def test_training_messages_name_labels():
    from graphcore.training import Trainer
    g = Graph()
    g.add_node("parameter", "w", label="weight", value=1e200)
    g.add_node("square", "sq", label="J")
    g.connect("w", "sq", 0)
    g.set_meta("loss", "sq")
    r = Trainer(g, epochs=1).train()
    assert r["status"] == "failed" and "'J' (square)" in r["error"] and "'sq'" not in r["error"]


@pytest.mark.parametrize("name", ["xor_network", "circle_network", "spiral3_softmax", "relu_bump"])
def test_the_lessons_label_every_box_so_the_step_through_and_quiz_show_no_ids(name):
    """The built networks' products and partial sums carry the course's notation (w²₁,₉·h¹₉,
    s¹₁,₂), not ids like m2_1_9: the quiz asks for dJ/d(label)."""
    from graphcore import datasets, fileformat, lessons, stepthrough
    g = fileformat.load(lessons.path_of(name))
    assert [n for n in g.nodes() if not g.node(n).get("label")] == []
    seq = stepthrough.build(g, datasets.for_graph(g).train(), sample=0)
    names = {p.name for s in seq.steps for p in s.ports} | {s.name for s in seq.steps}
    ids = set(g.nodes()) - {g.label(n) for n in g.nodes()}
    assert names and not names & ids


def test_a_value_the_model_refuses_is_named_by_label():
    from graphcore.errors import BadAttributeError
    g = graph()
    with pytest.raises(BadAttributeError, match="box 'x₁': value must be finite, not inf"):
        g.set_value("x", float("inf"))


def test_an_attribute_the_box_refuses_is_named_by_label_and_selects_the_id():
    from graphcore.errors import BadAttributeError
    g = Graph()
    g.add_node("pow", "pow_3", label="cube", attrs={"exponent": 3.0})
    with pytest.raises(BadAttributeError) as e:
        g.set_attr("pow_3", "exponent", float("inf"))
    assert "box 'cube': attribute 'exponent' must be finite" in str(e.value) and "pow_3" not in str(e.value)
    assert list(e.value.nodes) == ["pow_3"]


def test_a_port_count_that_would_strand_an_arrow_names_the_boxes_by_label():
    from graphcore.errors import BadAttributeError
    g = Graph()
    g.add_node("input", "z9", label="logit", value=0.0)
    g.add_node("softmax", "sm_4", label="probabilities", attrs={"k": 3})
    g.connect("z9", "sm_4", 2)
    with pytest.raises(BadAttributeError) as e:
        g.set_attr("sm_4", "k", 2)
    message = str(e.value)
    assert "box 'probabilities'" in message and "logit → probabilities" in message, message
    assert "sm_4" not in message and "z9" not in message, message
    assert list(e.value.nodes) == ["sm_4"]


def test_the_export_names_an_input_without_data_by_label():
    from graphcore.export import export
    g = Graph()
    g.add_node("input", "in_7", label="height")
    g.add_node("square", "sq", label="J")
    g.connect("in_7", "sq", 0)
    g.set_meta("loss", "sq")
    with pytest.raises(MissingDataError) as e:
        export(g, "numpy")
    assert "input box 'height'" in str(e.value) and "in_7" not in str(e.value), str(e.value)
    assert list(e.value.nodes) == ["in_7"]


def test_a_refused_column_or_value_names_the_box_by_label():
    from graphcore import limits
    from graphcore.errors import BadAttributeError
    from graphcore.graph import Graph

    g = Graph()
    x = g.add_node("input", "in_1", label="hours studied", column="x1")
    c = g.add_node("constant", "c_7", label="three", value=3.0)
    for change in (lambda: g.set_column(x, "x" * (limits.MAX_COLUMN_CHARS + 1)),
                   lambda: g.set_value(c, None), lambda: g.set_column(c, "x1")):
        with pytest.raises(BadAttributeError) as info:
            change()
        assert "in_1" not in str(info.value) and "c_7" not in str(info.value), str(info.value)
        assert "'hours studied'" in str(info.value) or "'three'" in str(info.value)
