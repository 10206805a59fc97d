#!/usr/bin/env python3
"""Unit tests of run_notebooks.check: the runner must fail a notebook for every kind of
failure a GoNB cell can show, and pass a clean one. Run by `make test-notebooks`."""
import os
import sys
import tempfile
import unittest

import nbformat

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_notebooks  # noqa: E402


def code_cell(outputs, figures=None):
    cell = nbformat.v4.new_code_cell("%%\nfmt.Println(1)")
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    if figures:
        cell.metadata["feedforward"] = {"figures": figures}
    return cell


def stream(text, name="stdout"):
    return {"output_type": "stream", "name": name, "text": text}


def png():
    return {"output_type": "display_data", "metadata": {}, "data": {"image/png": "iVBORw0KGgo="}}


def notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


class CheckTest(unittest.TestCase):
    def problems(self, *cells, figures_dir=None):
        return run_notebooks.check(notebook(*cells), "t", figures_dir)

    def test_clean_notebook_passes(self):
        self.assertEqual(self.problems(
            code_cell([stream("relative error 1e-9: PASS\nmean error 0.1\n"), png()], ["loss"]),
            nbformat.v4.new_markdown_cell("# text")), [])

    def test_failures_are_caught(self):
        cases = {
            "panic": "panic: runtime error: index out of range [3] with length 3\n\ngoroutine 1 [running]:\n",
            "exit status": "exit status 2\n",
            "compile error": "# command-line-arguments\n./main.go:12:3: undefined: foo\n",
            "reported error": "training...\nerror: loading MNIST: data/mnist/train-images-idx3-ubyte.gz: missing\n",
        }
        for what, text in cases.items():
            with self.subTest(what):
                self.assertTrue(self.problems(code_cell([stream(text)])), f"{what} passed the check")
                self.assertTrue(self.problems(code_cell([stream(text, "stderr")])), f"{what} on stderr passed")

    def test_error_word_inside_a_line_is_not_a_failure(self):
        self.assertEqual(self.problems(code_cell([stream("max relative error 3e-9\nstandard error 0.1\n")])), [])

    def test_missing_figure(self):
        self.assertTrue(self.problems(code_cell([stream("ok\n")], ["loss"])))
        # Two declared figures need two PNGs.
        self.assertTrue(self.problems(code_cell([png()], ["loss", "accuracy"])))
        self.assertEqual(self.problems(code_cell([png(), png()], ["loss", "accuracy"])), [])

    def test_figure_must_be_saved(self):
        with tempfile.TemporaryDirectory() as d:
            cell = code_cell([png()], ["loss"])
            self.assertTrue(self.problems(cell, figures_dir=d))
            open(os.path.join(d, "loss.png"), "wb").close()
            self.assertEqual(self.problems(cell, figures_dir=d), [])

    def test_error_output(self):
        err = {"output_type": "error", "ename": "ERROR", "evalue": "failed to compile", "traceback": []}
        self.assertTrue(self.problems(code_cell([err])))


if __name__ == "__main__":
    unittest.main()
