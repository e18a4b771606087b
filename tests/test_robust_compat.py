"""Pinned dependencies and the private APIs camnang relies on.

If one of these fails after an upgrade, the message names the private
API that moved: fix ``src/camnang/printables/compat.py`` (the one module
that uses them), not the callers."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from camnang.printables import compat

ROOT = Path(__file__).resolve().parent.parent
PRIVATE = re.compile(r"\b(\w+)\._(?!_)[A-Za-z]\w*")


def test_private_api_only_in_compat():
    """``grep -rn "\\._" src``: only compat.py reaches into a dependency."""
    offenders = []
    for path in sorted((ROOT / "src").rglob("*.py")):
        if path.name == "compat.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            code = re.sub(r"(\"[^\"]*\"|'[^']*')", "''", code)  # not inside strings
            for match in PRIVATE.finditer(code):
                if match.group(1) in ("self", "cls"):  # camnang's own objects
                    continue
                if match.group(0) == "os._exit":  # public: the documented way to leave a child process
                    continue
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "private API outside printables/compat.py:\n" + "\n".join(offenders)


def test_weasyprint_page_box():
    from camnang.printables.pdf import printer

    layout = printer("Noto Sans").layout(
        '<html lang="vi"><body><div class="team-block"><p>Tổ công nghệ số</p></div></body></html>', ROOT / "posters"
    )
    page = layout.document.pages[0]
    try:
        root = compat.page_box(page)
    except AttributeError as e:
        pytest.fail(f"WeasyPrint moved Page._page_box ({compat.versions()}): {e}")
    seen = {name: False for name in compat.BOX_ATTRIBUTES}
    stack = [root]
    block = None
    while stack:
        box = stack.pop()
        for name in seen:
            seen[name] |= hasattr(box, name)
        element = getattr(box, "element", None)
        if element is not None and "team-block" in (element.get("class") or ""):
            block = box
        stack.extend(getattr(box, "children", ()))
    missing = [name for name, found in seen.items() if not found]
    assert not missing, f"WeasyPrint boxes lost {missing} ({compat.versions()})"
    assert root.height > 0 and block is not None and block.element_tag == "div"
    assert block.content_box_y() >= 0 and block.margin_height() > 0 and block.position_y >= 0


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.-]+", requirement).group(0)).lower()


def test_installed_versions_match_constraints():
    """Every package in the venv is at the version constraints.txt pins,
    and every dependency declared in pyproject.toml is pinned. After adding
    a dependency: scripts/freeze-constraints.sh (README, "Phiên bản")."""
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not an exact pin"
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    tomllib = pytest.importorskip("tomllib")

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = list(project["dependencies"]) + [d for ds in project.get("optional-dependencies", {}).values() for d in ds]
    # The `fork` extra lives in .venv-fork, not here (tests/test_engine_forks.py).
    elsewhere = {_name(d) for d in project.get("optional-dependencies", {}).get("fork", ())}
    unpinned = []
    wrong = []
    for requirement in declared:
        name = _name(requirement)
        if name not in pins:
            unpinned.append(name)
            continue
        if name in elsewhere:
            continue
        installed = metadata.version(name)
        if installed != pins[name]:
            wrong.append(f"{name}: installed {installed}, pinned {pins[name]}")
    assert not unpinned, f"not in constraints.txt: {unpinned}; run scripts/freeze-constraints.sh"
    assert not wrong, wrong
    for dist in metadata.distributions():
        name = re.sub(r"[-_.]+", "-", dist.metadata["Name"]).lower()
        if name in pins and dist.version != pins[name]:
            wrong.append(f"{name}: installed {dist.version}, pinned {pins[name]}")
    assert not wrong, wrong


def test_pip_check_passes():
    """The pinned set is consistent (no package requires another version)."""
    result = subprocess.run([sys.executable, "-m", "pip", "check", "--disable-pip-version-check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
