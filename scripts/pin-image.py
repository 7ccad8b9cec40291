#!/usr/bin/env python3
"""Point action.yml's ``runs.image`` at the released image on GHCR.

    scripts/pin-image.py VERSION OWNER [--root DIR] [--registry ghcr.io]

Rewrites ``runs.image`` in ``<root>/action.yml`` to
``docker://ghcr.io/<owner>/agent-job-status:<version>`` (OWNER lower-cased, as
GHCR requires; a leading ``v`` of VERSION is dropped). Used by
``.github/workflows/release.yml`` on the release commit only: on main the
image stays ``Dockerfile``. Refuses (exit 2) unless VERSION equals the
package version in pyproject.toml and src/agent_job_status/__init__.py, so a
release tag can never pin an image that does not match the code.

Standard library only; the edit is textual, so comments and layout survive.
Prints the new image reference.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import tomllib
from pathlib import Path

IMAGE_NAME = "agent-job-status"
_VERSION = re.compile(r"^\d+\.\d+\.\d+(?:[-+.][0-9A-Za-z.+-]+)?$")
_OWNER = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38})$")
_IMAGE_LINE = re.compile(r"^(?P<indent>\s+)image:\s*\S.*$")


class PinError(Exception):
    pass


def package_versions(root: Path) -> tuple[str, str]:
    """(pyproject.toml version, agent_job_status.__version__)."""
    with (root / "pyproject.toml").open("rb") as fh:
        pyproject = str(tomllib.load(fh)["project"]["version"])
    init = (root / "src" / "agent_job_status" / "__init__.py").read_text(encoding="utf-8")
    for node in ast.parse(init).body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets)
            and isinstance(node.value, ast.Constant)
        ):
            return pyproject, str(node.value.value)
    raise PinError("no __version__ = '...' in src/agent_job_status/__init__.py")


def image_ref(version: str, owner: str, registry: str = "ghcr.io") -> str:
    return f"docker://{registry}/{owner}/{IMAGE_NAME}:{version}"


def set_image(action_yml: str, image: str) -> str:
    """action.yml's text with the ``image:`` line under top-level ``runs:`` replaced."""
    lines = action_yml.splitlines(keepends=True)
    in_runs = False
    for i, line in enumerate(lines):
        if line.strip() and not line[0].isspace() and not line.startswith("#"):
            in_runs = line.split("#", 1)[0].rstrip() == "runs:"
            continue
        match = _IMAGE_LINE.match(line)
        if in_runs and match:
            end = "\n" if line.endswith("\n") else ""
            lines[i] = f"{match.group('indent')}image: {image}{end}"
            return "".join(lines)
    raise PinError("no runs.image line in action.yml")


def pin(root: Path, version: str, owner: str, registry: str = "ghcr.io") -> str:
    version = version.strip().removeprefix("v")
    owner = owner.strip().lower()
    if not _VERSION.match(version):
        raise PinError(f"VERSION {version!r} is not X.Y.Z")
    if not _OWNER.match(owner):
        raise PinError(f"OWNER {owner!r} is not a GitHub user or organisation name")
    pyproject, dunder = package_versions(root)
    if not version == pyproject == dunder:
        raise PinError(
            f"VERSION {version} does not match the package: pyproject.toml says {pyproject}, "
            f"agent_job_status.__version__ says {dunder}; bump them before tagging"
        )
    ref = image_ref(version, owner, registry)
    path = root / "action.yml"
    path.write_text(set_image(path.read_text(encoding="utf-8"), ref), encoding="utf-8")
    return ref


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("version", help="X.Y.Z or vX.Y.Z (the release tag)")
    parser.add_argument("owner", help="GitHub owner of the image (github.repository_owner)")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--registry", default="ghcr.io")
    args = parser.parse_args(argv)
    try:
        print(pin(args.root, args.version, args.owner, args.registry))
    except (PinError, OSError, KeyError, tomllib.TOMLDecodeError) as err:
        print(f"pin-image: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
