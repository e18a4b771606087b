"""Redo the Zensical trial of README, "Khi MkDocs và Material ngừng".

    .venv/bin/python scripts/zensical_trial.py            # Zensical 0.0.73
    .venv/bin/python scripts/zensical_trial.py 0.1.3      # another version

Installs Zensical in a throwaway venv, writes the guide pages of a copy of
the project as files (camnang's own HTML, as a move would), builds that copy
with Zensical and the same copy with MkDocs (printables off), and prints what
differs. Nothing in the repository is changed. Not run by `make test`: the
camnang calls here are the ones the trial needs, kept in one place.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from camnang import markup
from camnang.config import load_settings
from camnang.render import site
from camnang.validate import load_library

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = re.compile(r"<article\b.*?</article>", re.S)
TOC = re.compile(r'<nav class="md-nav md-nav--secondary".*?</nav>', re.S)


def text(html: str) -> str:
    """The characters of a page's article, tags and white space aside
    (Zensical colours code blocks, MkDocs here does not)."""
    return "".join(re.sub(r"<[^>]+>", "", html).split())


def copy_project(dest: Path) -> Path:
    dest.mkdir()
    for name in ("docs", "guides", "posters", "teams"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, dest / name)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("\n  - camnang:\n", "\n  - camnang:\n      printables: false\n", 1)
    (dest / "mkdocs.yml").write_text(config, encoding="utf-8")
    return dest


def write_pages(project: Path) -> int:
    """The guide pages, home page markers, images and navigation as files."""
    settings = load_settings(project / "mkdocs.yml")
    library = load_library(settings.guides_dir, settings.categories)
    docs = project / "docs"
    (docs / site.GUIDES_DIR).mkdir(exist_ok=True)
    for guide in library.guides:
        meta = site.page_meta(guide)
        front = yaml.safe_dump({"title": meta["title"], "description": meta["description"]}, allow_unicode=True)
        html = site.render_guide_page(guide, library, image_base="")  # relative to the source file
        (docs / site.guide_src_uri(guide)).write_text(f"---\n{front}---\n\n{html}\n", encoding="utf-8")
    images = settings.guides_dir / markup.IMAGE_DIR
    if images.is_dir():
        shutil.copytree(images, docs / site.GUIDES_DIR / site.IMAGES_DIR, dirs_exist_ok=True)
    for page in docs.glob("*.md"):
        up = "" if page.name == "index.md" else "../"
        source = page.read_text(encoding="utf-8")
        filled = site.fill_markers(source, library, settings.course_url, lambda g, up=up: f"{up}{site.GUIDES_DIR}/{g.slug}/")
        page.write_text(filled, encoding="utf-8")
    others = sorted(p.name for p in docs.glob("*.md") if p.name != "index.md")
    nav = yaml.safe_dump({"nav": site.build_nav(library, others)}, allow_unicode=True, sort_keys=False)
    with open(project / "mkdocs.yml", "a", encoding="utf-8") as config:
        config.write("\n" + nav)
    return len(library.guides)


def main() -> int:
    version = sys.argv[1] if len(sys.argv) > 1 else "0.0.73"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CAMNANG_SITE_URL": "https://camnang.test/"}
    with tempfile.TemporaryDirectory(prefix="zensical-trial-") as tmp:
        tmp = Path(tmp)
        venv = tmp / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = subprocess.run(
            [str(venv / "bin/python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"zensical=={version}"],
            capture_output=True, text=True,
        )
        if pip.returncode:
            print(f"zensical {version} does not install:\n{pip.stderr.strip()[-600:]}")
            return 1

        stock = copy_project(tmp / "stock")
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=stock, env=env, check=True)

        project = copy_project(tmp / "zensical")
        print(f"{write_pages(project)} guide pages written as files")
        zen_env = {**env, "PYTHONPATH": str(ROOT / "src")}  # mkdocs.yml names camnang.text.slugify
        build = subprocess.run([str(venv / "bin/zensical"), "build", "-f", "mkdocs.yml"], cwd=project, env=zen_env, capture_output=True, text=True)
        print(f"zensical {version} build, exit {build.returncode}: {build.stdout.strip()} {build.stderr.strip()}")
        if build.returncode:
            return 1

        a, b = stock / "site", project / "site"
        pages_a = {p.relative_to(a).as_posix() for p in a.rglob("*.html")}
        pages_b = {p.relative_to(b).as_posix() for p in b.rglob("*.html")}
        print(f"pages: MkDocs {len(pages_a)}, Zensical {len(pages_b)}; only MkDocs: {sorted(pages_a - pages_b)}; only Zensical: {sorted(pages_b - pages_a)}")
        same = differ = 0
        for name in sorted(pages_a & pages_b):
            ha, hb = (a / name).read_text(encoding="utf-8"), (b / name).read_text(encoding="utf-8")
            ma, mb = ARTICLE.search(ha), ARTICLE.search(hb)
            if ma and mb and text(ma.group(0)) == text(mb.group(0)):
                same += 1
            else:
                differ += 1
                print(f"  article text differs: {name}")
            if name.startswith(site.GUIDES_DIR + "/"):
                toc_a, toc_b = (len(re.findall(r'href="#', m.group(0))) if m else 0 for m in (TOC.search(ha), TOC.search(hb)))
                imgs_a, imgs_b = (re.findall(r'<img[^>]*src="([^"]*)"', h) for h in (ha, hb))
                if toc_a != toc_b or imgs_a != imgs_b:
                    print(f"  {name}: toc entries {toc_a} vs {toc_b}; images {imgs_a} vs {imgs_b}")
        print(f"article text equal on {same} pages, different on {differ}")
        for name in ("sw.js", "manifest.webmanifest", "search/camnang/pages.json"):
            print(f"{name}: MkDocs {'yes' if (a / name).exists() else 'no'}, Zensical {'yes' if (b / name).exists() else 'no'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
