"""The course (graphcore/course.py): the lessons in the seeds' order, each task a valid record
whose check can run on its lesson's graph and that goes done when the graph satisfies it."""
import shutil

import pytest

from graphcore import course, datasets, fileformat, tasks

ORDER = ["computation_graph", "derivative", "linear_model", "optimizers", "relu_bump", "xor", "circle",
         "softmax"]


def test_lessons_in_the_course_order():
    keys = [lesson.key for lesson in course.lessons()]
    assert keys[:8] == ORDER
    assert [lesson.key for lesson in course.COURSE][8] == "vanishing_gradients"


def test_a_lesson_appears_only_when_its_example_file_exists(tmp_path):
    for lesson in course.lessons():
        if lesson.key != "vanishing_gradients":  # installed now (graphcore.lessons): left out here
            shutil.copy(lesson.example_path(), tmp_path)
    assert "vanishing_gradients" not in [lesson.key for lesson in course.lessons(tmp_path)]
    shutil.copy(course.EXAMPLES / "x_squared.graph.json", tmp_path / "vanishing_gradients.graph.json")
    assert [lesson.key for lesson in course.lessons(tmp_path)][-1] == "vanishing_gradients"
    (tmp_path / "xor_network.graph.json").unlink()
    assert "xor" not in [lesson.key for lesson in course.lessons(tmp_path)]


@pytest.mark.parametrize("lesson", course.lessons(), ids=lambda lesson: lesson.key)
def test_every_task_parses_and_can_be_checked_on_its_graph(lesson):
    graph = fileformat.load(lesson.example_path())
    parsed = course.tasks_of(lesson)
    assert [t.id for t in parsed] == [rec["id"] for rec in lesson.tasks]
    assert len({t.id for t in parsed}) == len(parsed)
    for task in parsed:
        assert task.text and tasks.static_problem(task, graph) is None, task.id
        assert not tasks.check(task, graph, answer=123456.0).done  # nothing is done before the learner acts


@pytest.mark.parametrize("lesson", course.lessons(), ids=lambda lesson: lesson.key)
def test_every_lesson_has_its_text_from_the_seeds(lesson):
    text = course.text_of(lesson)
    assert text.startswith(f"# {lesson.title}\n")
    assert len(text) < 2500  # short: the panel is beside the canvas
    assert lesson.paragraph and len(lesson.paragraph) < 400


def test_a_missing_text_falls_back_to_the_paragraph(tmp_path):
    lesson = course.by_key("xor")
    assert course.text_of(lesson, tmp_path) == f"# {lesson.title}\n\n{lesson.paragraph}\n"


def test_predictions_in_the_first_lesson_are_graded_against_backprop():
    lesson = course.by_key("computation_graph")
    graph = fileformat.load(lesson.example_path())
    predict_b, predict_c, _ = course.tasks_of(lesson)
    assert tasks.check(predict_b, graph, answer=6.0).done  # dJ/db = 3c
    assert not tasks.check(predict_b, graph, answer=5.0).done
    assert tasks.check(predict_c, graph, answer=9.0).done  # dJ/dc = 3b


def test_build_tasks_go_done_when_the_graph_computes_the_expression():
    """As a learner does it: one more box on the lesson's graph, named the cost J."""
    for key, extend in (("computation_graph", ("add", "J", "b")), ("derivative", ("mul", "f", "x"))):
        lesson = course.by_key(key)
        build = next(t for t in course.tasks_of(lesson) if t.kind == "build_expression")
        graph = fileformat.load(lesson.example_path())
        assert not tasks.check(build, graph).done
        op, first, second = extend
        new = graph.add_node(op)
        graph.connect(first, new, 0)
        graph.connect(second, new, 1)
        graph.set_meta("loss", new)
        assert tasks.check(build, graph).done, tasks.check(build, graph).detail


def test_the_linear_model_tasks_go_done_after_training():
    from graphcore.training import Trainer
    lesson = course.by_key("linear_model")
    graph = fileformat.load(lesson.example_path())
    cost, accuracy = course.tasks_of(lesson)
    assert not tasks.check(cost, graph).done and not tasks.check(accuracy, graph).done
    trainer = Trainer(graph, datasets.for_graph(graph))  # the file's own settings: adam, 200 epochs
    trainer.train()
    trainer.write_back()
    assert tasks.check(cost, graph).done and tasks.check(accuracy, graph).done


def test_examples_are_named_by_the_lesson_that_opens_them():
    assert course.title_for_example("x/ng_computation_graph.graph.json") == "Values forward, gradients backward"
    assert course.title_for_example(course.EXAMPLES / "sin2x.graph.json") == \
        "The derivative is the tangent's slope — f(x) = sin(2x)"  # its graph's own name
    assert course.title_for_example("someone_elses.graph.json") == "someone elses"
    ordered = sorted(["xor_network.graph.json", "zzz.graph.json", "ng_computation_graph.graph.json",
                      "sin2x.graph.json", "x_squared.graph.json"], key=course.example_order)
    assert ordered == ["ng_computation_graph.graph.json", "x_squared.graph.json", "sin2x.graph.json",
                       "xor_network.graph.json", "zzz.graph.json"]


def test_lessons_using_a_function():
    assert [lesson.key for lesson in course.lessons_using("sin")] == ["derivative"]  # through sin2x
    assert "computation_graph" in [lesson.key for lesson in course.lessons_using("mul")]
    assert "softmax" in [lesson.key for lesson in course.lessons_using("cross_entropy")]
    assert course.lessons_using("atan2_nonexistent") == []
