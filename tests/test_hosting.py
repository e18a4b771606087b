"""Hosting: the build's precompressed copies (camnang.compress), and the
nginx and Caddy blocks of README "Hosting" run for real on a built site: the
.gz (.br) copy is what the server sends, and an unknown address gets the
Vietnamese 404 page."""

from __future__ import annotations

import getpass
import gzip
import http.client
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from camnang import compress

from conftest import ROOT, make_project, run_mkdocs

# --------------------------------------------------------------------------
# The copies
# --------------------------------------------------------------------------


def test_copies_are_deterministic_smaller_and_kept_in_step(tmp_path):
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    page = ("<p>Hướng dẫn từng bước dùng dịch vụ số.</p>\n" * 200).encode("utf-8")
    (site / "a" / "index.html").write_bytes(page)
    (site / "style.css").write_bytes(b"body{margin:0}\n" * 100)
    (site / "tiny.js").write_bytes(b"var a=1;")  # too small to gain anything
    (site / "leaflet.pdf").write_bytes(b"%PDF-" + bytes(4000))  # not text

    done = compress.compress_site(site)
    gz = site / "a" / "index.html.gz"
    assert gzip.decompress(gz.read_bytes()) == page
    assert gz.read_bytes()[4:8] == b"\0\0\0\0"  # mtime 0
    assert len(gz.read_bytes()) < len(page) / 5
    assert not (site / "tiny.js.gz").exists() and not (site / "leaflet.pdf.gz").exists()
    assert done.files == 2 and done.gzip < done.raw
    if compress.brotli is not None:
        br = site / "a" / "index.html.br"
        assert compress.brotli.decompress(br.read_bytes()) == page
        assert len(br.read_bytes()) <= len(gz.read_bytes())
    first = {p.name: p.read_bytes() for p in site.rglob("*.gz")}

    # A second build gives the same bytes; a changed file a new copy; a
    # removed file loses its copies.
    compress.compress_site(site)
    assert {p.name: p.read_bytes() for p in site.rglob("*.gz")} == first
    (site / "style.css").write_bytes(b"p{color:red}\n" * 100)
    (site / "a" / "index.html").unlink()
    compress.compress_site(site)
    assert gzip.decompress((site / "style.css.gz").read_bytes()) == b"p{color:red}\n" * 100
    assert not list((site / "a").iterdir())


def test_brotli_is_available_where_weasyprint_is():
    # WeasyPrint installs fonttools[woff], which brings brotli: .br copies
    # are written wherever the site can be built.
    assert compress.brotli is not None


# --------------------------------------------------------------------------
# nginx, with the README's block
# --------------------------------------------------------------------------

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def readme_block(language: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    hosting = text.split("\n## Hosting\n", 1)[1].split("\n## ", 1)[0]
    m = re.search(rf"```{language}\n(.*?)```", hosting, re.S)
    assert m, f"README, Hosting: no {language} block"
    return m.group(1)


def test_team_page_gives_the_same_snippets():
    team = (ROOT / "docs" / "to-cong-nghe-so.md").read_text(encoding="utf-8")
    for language in ("nginx", "caddy"):
        assert readme_block(language) in team, language


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, encoding: str | None = "gzip") -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Accept-Encoding": encoding} if encoding else {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def _wait_for(port: int) -> None:
    """Until the server on ``port`` answers (at most about 10 s)."""
    for _ in range(100):
        try:
            _get(port, "/")
            return
        except OSError:
            time.sleep(0.1)


def _check_404_worker_and_manifest(port: int) -> None:
    """What both servers' blocks must do beside the compressed copies: an
    unknown address gets status 404 and the site's Vietnamese page; the
    service worker is never cached stale; the manifest has its type."""
    status, headers, body = _get(port, "/huong-dan/khong-co-trang-nay/")
    assert status == 404
    text = (gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body).decode("utf-8")
    assert "Không tìm thấy trang này" in text
    status, headers, _ = _get(port, "/sw.js")
    assert status == 200 and headers.get("cache-control") == "no-cache"
    status, headers, _ = _get(port, "/manifest.webmanifest")
    assert status == 200 and headers.get("content-type", "").startswith("application/manifest+json")


@pytest.fixture(scope="module")
def built_site(tmp_path_factory) -> Path:
    """The fixture guide's site, printables off (fast)."""
    tmp = tmp_path_factory.mktemp("hosting")
    project = make_project(tmp)
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("  - camnang:\n", "  - camnang:\n      printables: false\n"),
        encoding="utf-8",
    )
    site = tmp / "site"
    result = run_mkdocs(project, site, env={"CAMNANG_SITE_URL": "https://camnang.test/"})
    assert result.returncode == 0, result.stderr
    return site


def test_nginx_serves_the_copies_and_the_vietnamese_404(built_site, tmp_path):
    if NGINX is None:
        pytest.skip("nginx is not installed (scripts/system-deps.sh test installs it)")
    block = readme_block("nginx")
    port = _free_port()
    server = block.replace("listen 80;", f"listen 127.0.0.1:{port};").replace(
        "root /var/www/camnang/site;", f"root {built_site};"
    )
    assert f"root {built_site};" in server and f"listen 127.0.0.1:{port};" in server
    temp = tmp_path / "nginx"
    temp.mkdir()
    conf = temp / "nginx.conf"
    conf.write_text(
        # The test's folders are private to this user (pytest's tmp_path):
        # the worker runs as the same user, not nginx's "nobody".
        f"""daemon off;
{"user " + getpass.getuser() + ";" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {temp}/nginx.pid;
error_log {temp}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
{server}
}}
""",
        encoding="utf-8",
    )
    check = subprocess.run([NGINX, "-t", "-p", str(temp), "-c", str(conf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([NGINX, "-p", str(temp), "-c", str(conf)], stderr=subprocess.PIPE)
    try:
        _wait_for(port)
        page = built_site / "huong-dan" / "thu-nghiem" / "index.html"
        status, headers, body = _get(port, "/huong-dan/thu-nghiem/")
        assert status == 200
        assert headers.get("content-encoding") == "gzip"
        assert "accept-encoding" in headers.get("vary", "").lower()
        # The very bytes of the build's copy: gzip_static, not on the fly.
        assert body == Path(str(page) + ".gz").read_bytes()
        assert gzip.decompress(body) == page.read_bytes()

        css = next((built_site / "assets" / "stylesheets").glob("main.*.min.css"))
        status, headers, body = _get(port, "/" + css.relative_to(built_site).as_posix())
        assert status == 200 and headers.get("content-encoding") == "gzip"
        assert body == Path(str(css) + ".gz").read_bytes()

        # A browser that does not take gzip gets the file itself.
        status, headers, body = _get(port, "/huong-dan/thu-nghiem/", encoding=None)
        assert status == 200 and "content-encoding" not in headers and body == page.read_bytes()

        _check_404_worker_and_manifest(port)
    finally:
        process.terminate()
        process.wait(timeout=10)


# --------------------------------------------------------------------------
# Caddy, with the README's block
# --------------------------------------------------------------------------

CADDY = shutil.which("caddy")


def test_caddy_serves_the_copies_and_the_vietnamese_404(built_site, tmp_path):
    if CADDY is None:
        pytest.skip("caddy is not installed (scripts/system-deps.sh test installs it)")
    block = readme_block("caddy")
    port = _free_port()
    site = block.replace("camnang.example.gov.vn {", f"http://127.0.0.1:{port} {{", 1).replace(
        "root * /var/www/camnang/site", f"root * {built_site}"
    )
    assert f"root * {built_site}" in site and f"http://127.0.0.1:{port} {{" in site
    # No admin endpoint (another Caddy may hold its port); state in tmp_path.
    conf = tmp_path / "Caddyfile"
    conf.write_text("{\n\tadmin off\n}\n" + site, encoding="utf-8")
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    check = subprocess.run([CADDY, "validate", "--config", str(conf), "--adapter", "caddyfile"], capture_output=True, text=True, env=env)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen(
        [CADDY, "run", "--config", str(conf), "--adapter", "caddyfile"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )
    try:
        _wait_for(port)
        page = built_site / "huong-dan" / "thu-nghiem" / "index.html"
        # The very bytes of the build's copies: .br first, else .gz.
        status, headers, body = _get(port, "/huong-dan/thu-nghiem/", encoding="br, gzip")
        assert status == 200 and headers.get("content-encoding") == "br"
        assert "accept-encoding" in headers.get("vary", "").lower()
        assert body == Path(str(page) + ".br").read_bytes()
        status, headers, body = _get(port, "/huong-dan/thu-nghiem/")
        assert status == 200 and headers.get("content-encoding") == "gzip"
        assert body == Path(str(page) + ".gz").read_bytes()
        status, headers, body = _get(port, "/huong-dan/thu-nghiem/", encoding=None)
        assert status == 200 and "content-encoding" not in headers and body == page.read_bytes()

        _check_404_worker_and_manifest(port)
    finally:
        process.terminate()
        process.wait(timeout=10)
