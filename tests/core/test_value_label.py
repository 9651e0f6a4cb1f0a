"""A constant whose label is its value written out ("3") keeps saying its value when the
value changes; any other label stays as the learner wrote it."""
import pytest

from graphcore import fileformat, lessons, stepthrough
from graphcore.graph import Graph


def lecture():
    return fileformat.load(lessons.path_of("ng_computation_graph"))  # J = 3(a + bc), "three" labelled "3"


def test_a_constant_labelled_by_its_value_follows_the_value_and_back():
    g = lecture()
    assert g.label("three") == "3"
    g.set_value("three", 4.0)
    assert g.label("three") == "4"
    g.set_value("three", 0.25)
    assert g.label("three") == "0.25"
    g.set_value("three", 3.0)  # an undo sets the old value back: the label follows it too
    assert g.label("three") == "3"


def test_the_step_through_names_the_new_value():
    g = lecture()
    g.set_value("three", 4.0)
    text = stepthrough.transcript(stepthrough.build(g))
    assert "dJ/d4" in text and "dJ/d3" not in text


@pytest.mark.parametrize("label", ["c", "three", "3 apples", None])
def test_other_labels_stay(label):
    g = Graph()
    g.add_node("constant", "k", label=label, value=3.0)
    g.set_value("k", 4.0)
    assert g.node("k").get("label") == label


def test_parameters_keep_their_labels_while_training_writes_values():
    g = Graph()
    g.add_node("parameter", "w", label="1", value=1.0)
    g.set_values({"w": 2.5})
    assert g.label("w") == "1"


def test_the_label_event_reaches_subscribers():
    g = lecture()
    seen = []
    g.subscribe(lambda e: seen.append((e.kind, e.node, e.key)))
    g.set_value("three", 4.0)
    assert ("node_changed", "three", "label") in seen and ("node_changed", "three", "value") in seen
