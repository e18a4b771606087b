"""The shape of the code: no import circle in ``src/camnang``, MkDocs and
Material imported only by the adapter modules, and the README's file map
matching the tree. Static checks over the source (no import is run)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PACKAGE = SRC / "camnang"

SITE_ENGINE_ADAPTERS = {"camnang.plugin", "camnang.search", "camnang.offline", "camnang.sitebuild"}
"""The only modules that may import MkDocs or Material (see ARCHITECTURE.md)."""


def _modules() -> dict[str, Path]:
    mods = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(SRC).with_suffix("").parts)
        mods[name.removesuffix(".__init__")] = path
    return mods


def _imports(name: str, path: Path) -> set[str]:
    """Every module ``name`` imports, anywhere in the file (function-level
    imports count), by absolute name."""
    pkg = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    return {name: {m for m in _imports(name, path) if m in mods and m != name} for name, path in mods.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    comps: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return comps


def test_the_cycle_finder_finds_a_circle():
    """The check below can fail: a two-module circle is reported."""
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_in_src():
    graph = _graph()
    assert "camnang.printables.registry" in graph and graph["camnang.printables.registry"]
    assert _cycles(graph) == []


def test_kind_modules_do_not_import_their_registry():
    graph = _graph()
    importers = {m for m, deps in graph.items() if "camnang.printables.registry" in deps}
    kind_modules = {f"camnang.printables.{n}" for n in ("leaflet", "poster", "radio", "kinds")}
    assert not importers & kind_modules


def test_fit_imports_nothing_from_the_package():
    assert _imports("camnang.printables.fit", PACKAGE / "printables" / "fit.py") <= {"__future__", "__future__.annotations", "dataclasses", "dataclasses.dataclass", "dataclasses.field"}


def test_only_the_adapters_import_mkdocs_or_material():
    offenders = {}
    for name, path in _modules().items():
        if name in SITE_ENGINE_ADAPTERS:
            continue
        engine = sorted(m for m in _imports(name, path) if m.split(".")[0] in ("mkdocs", "material"))
        if engine:
            offenders[name] = engine
    assert offenders == {}


def test_no_private_name_crosses_a_module():
    """``from .x import _name`` between camnang modules: a private helper
    used elsewhere should be public (or moved)."""
    crossing = []
    modules = {m.rsplit(".", 1)[-1] for m in _modules()}
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules
                and node.attr.startswith("_") and not node.attr.startswith("__")
            ):
                crossing.append(f"{name}: {node.value.id}.{node.attr}")
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("camnang")):
                crossing += [f"{name}: {a.name}" for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
    assert crossing == []


# -- the README's file map ------------------------------------------------------

def _file_map() -> set[str]:
    """Paths named in the README's Layout map: one entry a line, its name
    first, indented two spaces a level under its folder (``name/``)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Layout") :]
    block = section[section.index("```\n") + 4 :]
    block = block[: block.index("```")]
    paths = set()
    folders: list[str] = []
    for line in block.splitlines():
        if not line.strip():
            continue
        depth = (len(line) - len(line.lstrip(" "))) // 2
        name = line.split()[0]
        del folders[depth:]
        path = "".join(folders) + name
        if name.endswith("/"):
            folders.append(name)
        else:
            paths.add(path)
    return paths


def test_readme_file_map_matches_the_tree():
    listed = {p for p in _file_map() if p.startswith("src/camnang/")}
    assert "src/camnang/printables/registry.py" in listed
    actual = {path.relative_to(ROOT).as_posix() for path in PACKAGE.rglob("*.py") if path.name != "__init__.py"}
    assert sorted(listed - actual) == [], "README lists modules that do not exist"
    assert sorted(p for p in _file_map() if not (ROOT / p).exists()) == []
    assert sorted(actual - listed) == [], "modules missing from the README's file map"


def test_kinds_carry_what_they_need():
    """What teampacks, offline and the scripts need to know of a kind is on
    its ``Kind``: no module looked up by name, no prefix spelt twice."""
    from camnang.printables.registry import KINDS

    for path in (PACKAGE / "printables").rglob("*.py"):
        assert "__import__(" not in path.read_text(encoding="utf-8"), path
    for kind in KINDS:
        assert kind.filename.startswith(kind.prefix) and kind.prefix
        if kind.qr_box_mm:
            assert kind.fits and kind.template and kind.stylesheets and kind.qr_error in ("l", "m", "q", "h")
    for name in ("offline.py", "printables/teampacks.py"):
        text = (PACKAGE / name).read_text(encoding="utf-8")
        assert not re.search(r"\"(to-roi|ap-phich|phat-thanh)-\"", text), name


def test_every_tree_node_type_has_an_html_and_a_text_rule():
    """The tree's renderers are dispatch tables: a node type added to the
    tree without its entries would fail here, not on some guide."""
    import typing

    from camnang import markup

    types = {*typing.get_args(markup.Inline), *typing.get_args(markup.Block), markup.Run, markup.Blocks, markup.ListItem, markup.Step}
    assert markup.Phone in types and markup.OrderedList in types
    assert sorted(t.__name__ for t in types - set(markup._HTML)) == []
    assert sorted(t.__name__ for t in types - set(markup._TEXT)) == []
    try:
        markup.to_html(object())
    except TypeError as e:
        assert "object" in str(e)
    else:
        raise AssertionError("a node without a rule was rendered")


def test_every_write_goes_through_the_writer():
    """Temporary files, renames and links into place live in ``writer.py``
    (whole or not at all, ``before_write`` honoured): nowhere else. The one
    exception is ``sitebuild``'s swap of the whole site folder (folders,
    renamed, never a file written)."""
    pattern = re.compile(r"\b(mkstemp|mktemp|NamedTemporaryFile|os\.replace|os\.rename|os\.link|\.write_text|\.write_bytes)\(")
    found = [
        f"{path.relative_to(ROOT)}: {m.group(1)}"
        for path in PACKAGE.rglob("*.py")
        if path.name != "writer.py"
        for m in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert [f for f in found if f != "src/camnang/sitebuild.py: os.rename"] == []


def test_link_atomic_links_or_changes_nothing(tmp_path):
    from camnang.writer import link_atomic

    source = tmp_path / "a.pdf"
    source.write_bytes(b"%PDF-1 new")
    target = tmp_path / "out" / "a.pdf"
    target.parent.mkdir()
    target.write_bytes(b"old")
    assert link_atomic(source, target)
    assert target.read_bytes() == b"%PDF-1 new" and target.stat().st_ino == source.stat().st_ino
    link = tmp_path / "link.pdf"
    link.symlink_to(source)
    other = tmp_path / "out" / "b.pdf"
    assert not link_atomic(link, other) and not other.exists()
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.pdf"]  # no temporary file left


# -- sizes shared by the print CSS and Python ------------------------------------

def _css_rules(css: str) -> list[tuple[str, dict[str, str]]]:
    """(selector, declarations) of every innermost rule of ``css``
    (comments dropped; at-rule blocks opened, their inner rules listed)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules = []
    for m in re.finditer(r"([^{};]+)\{([^{}]*)\}", css):
        declarations = {}
        for part in m.group(2).split(";"):
            name, _, value = part.partition(":")
            if value:
                declarations[name.strip()] = value.strip()
        rules.append((" ".join(m.group(1).split()), declarations))
    return rules


def _mm(value: str) -> float:
    number = re.fullmatch(r"([\d.]+)mm", value)
    assert number, value
    return float(number.group(1))


def test_team_block_sizes_match_the_print_css():
    """``teamstrip.BOXES`` (how the team's text is fitted before layout)
    against ``.team-block`` in ``posters/<kind>.css``: same height, line
    height, largest type size, and width (the footer strip's)."""
    from camnang.printables.teamstrip import BOXES

    for kind, box in BOXES.items():
        rules = _css_rules((ROOT / "posters" / f"{kind}.css").read_text(encoding="utf-8"))
        block = {k: v for sel, d in rules if sel == ".team-block" for k, v in d.items()}
        strip = {k: v for sel, d in rules if sel == ".team .strip" for k, v in d.items()}
        widths = {_mm(d["width"]) for sel, d in rules if sel == "@bottom-center" and "width" in d}
        assert _mm(block["height"]) == box.height_mm, kind
        assert float(block["line-height"]) == box.line_height, kind
        size = block.get("font-size") or strip.get("font-size")
        assert size == f"{box.sizes[0]:g}pt", kind
        assert widths == {box.width_mm}, kind


def test_readme_gives_the_team_strip_heights_of_the_css():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for kind, word in (("leaflet", "leaflet"), ("poster", "poster")):
        rules = _css_rules((ROOT / "posters" / f"{kind}.css").read_text(encoding="utf-8"))
        height = next(d["height"] for sel, d in rules if sel == ".team .strip")
        assert re.search(rf"{_mm(height):g} mm on\s+the {word}", readme), (kind, height)
