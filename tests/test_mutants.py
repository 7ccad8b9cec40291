"""The mutation check's list stays true to the source (`scripts/mutants.py`).

A mutant whose snippet no longer occurs after a refactor tests nothing, one
that occurs twice is ambiguous, and one that breaks the syntax is "killed"
by any test: each must change exactly one place of its file into valid
Python. Running the mutants themselves takes long; this checks the list.
"""

from __future__ import annotations

import pytest

from scripts.mutants import MODULES, PKG, ROOT, Mutant, mutated

EVERY = [m for _, mutants in MODULES.values() for m in mutants]


@pytest.mark.parametrize("mutant", EVERY, ids=[m.name for m in EVERY])
def test_each_mutant_changes_one_place_into_valid_python(mutant: Mutant) -> None:
    source = (ROOT / PKG / mutant.file).read_text(encoding="utf-8")
    assert mutated(mutant, source) != source


@pytest.mark.parametrize(
    ("original", "replacement", "problem"),
    [
        ("x = 1\n", "x = 2\n", "found 0 times"),  # stale
        ("a = 1\n", "a = 2\n", "found 2 times"),  # ambiguous
        ("a = 1\nb", "a = 1\nb", "found 1 times"),  # no change
        ("b = 2\n", "b = (\n", "not valid Python"),
    ],
)
def test_a_bad_mutant_is_refused(original: str, replacement: str, problem: str) -> None:
    mutant = Mutant("bad", "x.py", original, replacement)
    with pytest.raises(ValueError, match=problem):
        mutated(mutant, "a = 1\nb = 2\na = 1\n")


def test_names_are_unique_and_the_chosen_tests_exist() -> None:
    names = [m.name for m in EVERY]
    assert len(names) == len(set(names))
    chosen = {t for tests, _ in MODULES.values() for t in tests} | {
        t for m in EVERY for t in m.tests
    }
    assert {t for t in chosen if not (ROOT / t.split("::")[0]).exists()} == set()
