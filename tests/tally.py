"""Counts the suite prints at its end (tests/conftest.py): the README's figures."""

from __future__ import annotations

from collections import Counter

TALLY: Counter[str] = Counter()
