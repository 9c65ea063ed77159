"""One vocabulary for both checks: gradient_check and check_network print one table (the same
columns, in the same order, as text and in a notebook) and one verdict, whose measure is named as
the table's column and the criterion name it."""

from __future__ import annotations

import re

import numpy as np

import xpnet
from xpnet.check.report import COLUMNS, MEASURES

from .learner_shapes import batch


def checks(**tolerance):
    net = xpnet.TwoLayerNet(5, 4, 3, weight_init_std=1.0, seed=2)
    x, t = batch(D=5, C=3)
    return xpnet.gradient_check(net, x, t, **tolerance), xpnet.check_network(net, x, t)


def html_cells(check, tag: str) -> list[list[str]]:
    rows = re.findall(r"<tr>(.*?)</tr>", check._repr_html_())
    return [re.findall(rf"<{tag}>(.*?)</{tag}>", row) for row in rows]


def test_both_tables_have_the_same_header_as_text_and_in_a_notebook():
    ours, theirs = checks()
    headers = {str(check).splitlines()[0] for check in (ours, theirs)}
    assert len(headers) == 1
    assert headers.pop().split() == " ".join(COLUMNS).split()
    for check in (ours, theirs):
        assert html_cells(check, "th")[0] == list(COLUMNS)


def test_each_row_holds_the_same_cells_as_text_and_in_a_notebook():
    for check in checks():
        text_rows = str(check).splitlines()[1 : 1 + len(check.parameters)]
        notebook_rows = html_cells(check, "td")[1:]
        assert [" ".join(row.split()) for row in text_rows] == [" ".join(r) for r in notebook_rows]
        assert [row[0] for row in notebook_rows] == [p.name for p in check]
        for row, p in zip(notebook_rows, check, strict=True):
            figures = [float(cell) for cell in row[2:7]]
            expected = [p.backprop_max, p.numerical_max, p.max_abs, p.mean_abs, p.error]
            np.testing.assert_allclose(figures, expected, rtol=6e-3)  # printed with 3 digits


def test_the_criterion_is_a_column_and_the_verdict_says_it_in_one_set_of_words():
    ours, theirs = checks()
    verdict = re.compile(
        r"^(gradient check|check) (PASSED|FAILED) on a batch of 3, float64: a parameter passes"
        r" when its (.+) is <= (\S+)$"
    )
    for check in (ours, theirs):
        assert check.criterion in COLUMNS
        said = next(verdict.match(line) for line in str(check).splitlines() if verdict.match(line))
        assert said[1] == check.title and said[2] == "PASSED"
        assert said[3] == MEASURES[check.criterion][1] and float(said[4]) == check.tolerance


def test_a_failed_gradient_check_marks_its_parameters_as_check_network_does():
    ours, _ = checks(tolerance=0.0)
    assert not ours.passed
    assert [row[-1] for row in html_cells(ours, "td")[1:]] == ["WRONG"] * 4
    rows = str(ours).splitlines()[1:5]
    assert all(row.endswith("  WRONG") for row in rows)
    assert "gradient check FAILED on a batch of 3" in str(ours)
