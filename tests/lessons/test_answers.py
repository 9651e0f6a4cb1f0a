"""What the Lesson panel accepts as a typed prediction, and how it shows the course's Markdown."""
import pytest

from gui.lessons.panel import parse_answer, without_heading


@pytest.mark.parametrize("text, value", [("6", 6.0), (" −0.5 ", -0.5), ("1,5", 1.5), ("3e-2", 0.03), ("-9", -9.0)])
def test_numbers_as_a_learner_types_them(text, value):
    assert parse_answer(text) == value


@pytest.mark.parametrize("text", ["", "six", "nan", "inf", "-inf", "1e999", "6 7", "0x10"])
def test_anything_else_is_not_a_number(text):
    assert parse_answer(text) is None


def test_the_first_heading_goes_to_the_panel_title():
    assert without_heading("# Title\n\nText\n## Sub\n") == "Text\n## Sub\n"
    assert without_heading("Text only\n# later") == "Text only\n# later"
    assert without_heading("## Not level one\nx") == "## Not level one\nx"
