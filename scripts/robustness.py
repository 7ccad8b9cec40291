"""Print README's robustness table: hostile text in every field, every channel,
judged by the Actions runner's parser and cmark-gfm (see tests/robustness.py).

    .venv/bin/python -m scripts.robustness
"""

from __future__ import annotations

from tests.robustness import table, tally


def main() -> None:
    results = tally()
    print(table(results))
    for channel, found in results.items():
        for example in found.examples or []:
            print(f"{channel}: {example}")


if __name__ == "__main__":
    main()
