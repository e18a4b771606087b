#!/usr/bin/env python3
"""Printables from the command line: leaflets, posters (and every other
kind of camnang.printables) of every guide, into a folder.

    python build_posters.py                       # all guides into site/in-an
    python build_posters.py --only vneid-kich-hoat thanh-toan-qr
    python build_posters.py --out /tmp/in-an --jobs 2
    python build_posters.py --audio               # also phat-thanh-<slug>.wav (espeak-ng)
    python build_posters.py --teams teams/vi-du.csv             # team packs into goi-to/
    python build_posters.py --teams roster.xlsx --shard 2/4     # a quarter of the teams
    python build_posters.py --review              # what to re-check this quarter (no files)
    python build_posters.py --reprint-since 2026-11-01          # what changed since the last print run
    python build_posters.py --reprint-against ban-in-thang-truoc/  # files that differ from last time
    python build_posters.py --teams roster.xlsx --scheduler tcp://10.0.0.5:8786 --out /mnt/chung/goi-to --zip

Reads the same mkdocs.yml as the site (guides, course_url, site_url from
CAMNANG_SITE_URL, print_font, cache_dir). Files already in the folder with
the right content are left alone; renders come from the shared cache when
nothing they depend on changed. A thin front end over
camnang.printables.pipeline.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Callable

from camnang.config import load_settings
from camnang.errors import CamnangError, terminal_safe
from camnang.printables.pipeline import PRINTABLES_DIR, build
from camnang.printables.poster import notes as poster_notes
from camnang.printables.radio import notes as radio_notes
from camnang.validate import load_library
from camnang.writer import WriteError


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="build_posters.py",
        description="Tạo tờ rơi A4, áp phích A3 (và các bản in khác) cho mọi hướng dẫn.",
    )
    parser.add_argument("--config", "-f", default="mkdocs.yml", help="tệp cấu hình (mặc định: mkdocs.yml)")
    parser.add_argument("--out", help=f"thư mục ghi tệp (mặc định: site_dir/{PRINTABLES_DIR}, tức site/{PRINTABLES_DIR})")
    parser.add_argument("--only", nargs="+", metavar="SLUG", help="chỉ làm các hướng dẫn này (tên tệp không có .md)")
    parser.add_argument("--jobs", "-j", type=int, metavar="N", help="số tiến trình làm song song (mặc định: mọi nhân CPU)")
    parser.add_argument(
        "--audio",
        action="store_true",
        help="đọc thử mỗi bài phát thanh bằng giọng tiếng Việt của espeak-ng, ghi phat-thanh-<slug>.wav (cần espeak-ng)",
    )
    parser.add_argument(
        "--review",
        action="store_true",
        help="chỉ in báo cáo rà soát nội dung (ngày kiểm tra, hạn xem lại, nguồn trên tên miền cũ sau sáp nhập, bài phát thanh dài), không tạo tệp",
    )
    parser.add_argument(
        "--reprint-since", metavar="NGÀY",
        help="chỉ liệt kê bản in của các hướng dẫn đã sửa sau ngày này (dạng 2026-11-01), để in lại đúng những tờ đó; không tạo tệp",
    )
    parser.add_argument(
        "--reprint-against", type=Path, metavar="THƯ_MỤC",
        help="so các bản in trong --out (đã tạo) với thư mục bản in lần trước, liệt kê những tệp khác hoặc mới; không tạo tệp",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="coi cảnh báo về áp phích (chữ nhỏ hơn 24 pt, hai cột, hai tờ: cần dòng 'Ngắn:') là lỗi: "
        "vẫn ghi mọi tệp nhưng kết thúc với mã lỗi 1",
    )
    teams = parser.add_argument_group("gói tài liệu cho từng tổ (tờ rơi và áp phích in tên, số điện thoại, mã QR nhóm Zalo của tổ)")
    teams.add_argument("--teams", type=Path, metavar="FILE", help="danh sách tổ (.csv UTF-8 hoặc .xlsx, xem teams/README.md); ghi vào --out (mặc định: goi-to)")
    teams.add_argument("--shard", metavar="K/N", help="chỉ làm phần K trong N phần của danh sách (chia việc cho N máy)")
    teams.add_argument("--fail-fast", action="store_true", help="dừng ngay ở tổ đầu tiên bị lỗi (mặc định: làm tiếp các tổ khác, cuối cùng báo lỗi)")
    teams.add_argument(
        "--scheduler", metavar="ĐỊA_CHỈ",
        help="chạy trên cụm Dask: 'local' (một cụm trên máy này, --jobs tiến trình) hoặc địa chỉ bộ lập lịch, "
        "ví dụ tcp://10.0.0.5:8786 (khi đó --out phải là thư mục chung hoặc URL mà mọi máy đều ghi được)",
    )
    teams.add_argument("--zip", action="store_true", help="thêm một tệp ZIP cho mỗi xã: theo-xa/<tỉnh>/<xã>.zip (thư mục các tổ của xã và index.csv của xã)")
    teams.add_argument("--verify", action="store_true", help="đọc lại mọi tệp đã có và sửa tệp hỏng, kể cả của các tổ mà manifest ghi là không đổi")
    return parser.parse_args(argv)


def _rate(files: float) -> str:
    return f"{files:.1f}".replace(".", ",")


class Progress:
    """A tqdm bar on standard error: on a terminal it redraws in place;
    otherwise (CI logs) tqdm writes a line every ``every`` seconds. Hidden
    during the first ``quiet_for`` seconds (a quick rebuild shows none)."""

    def __init__(self, unit: str, every: float = 10.0, quiet_for: float = 0.0):
        self.unit = unit
        self.every = every
        self.quiet_for = quiet_for
        self.started = time.monotonic()
        self.bar = None

    @property
    def elapsed(self) -> float:
        return max(time.monotonic() - self.started, 1e-6)

    def show(self, done: int, total: int, text: str = "") -> None:
        if self.bar is None:
            if time.monotonic() - self.started < self.quiet_for and done < total:
                return
            from tqdm import tqdm

            tty = sys.stderr.isatty()
            self.bar = tqdm(
                total=total, unit=self.unit, file=sys.stderr, dynamic_ncols=True, ascii=not tty,
                mininterval=0.2 if tty else self.every, maxinterval=self.every if not tty else 10.0,
                bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} {unit} [{elapsed}<{remaining}]{postfix}",
            )
            # The bar appears at the first report (for team packs, when
            # the first team is done): its clock starts with the run.
            self.bar.start_t -= time.monotonic() - self.started
            self.bar.last_print_t = self.bar.start_t
        if text:
            self.bar.set_postfix_str(text, refresh=False)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def file_progress() -> tuple[Progress, Callable[[int, int], None]]:
    """Printables: files done and time left."""
    progress = Progress("tệp", every=3.0, quiet_for=1.0)
    return progress, lambda done, total: progress.show(done, total)


def team_progress() -> tuple[Progress, Callable[[int, int, int], None]]:
    """Team packs: teams done, files a second and time left."""
    progress = Progress("tổ", every=10.0)

    def update(teams: int, total: int, files: int) -> None:
        progress.show(teams, total, f"{files} tệp, {_rate(files / progress.elapsed)} tệp/giây")

    return progress, update


def main(argv: list[str] | None = None) -> int:
    """One run at a time per project folder (the build lock, waiting for
    another build); file-system errors as one line, exit 1."""
    from camnang.lock import BuildLock
    from camnang.writer import error_for, one_line

    args = parse_args(argv)
    try:
        with BuildLock(Path(args.config).resolve().parent):
            status = _main(args)
    except WriteError as e:
        print(f"Lỗi: {one_line(e)}", file=sys.stderr)
        print("Không có tệp nào bị ghi dở: các tệp đã có vẫn nguyên vẹn.", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"Lỗi: {one_line(error_for(e))}", file=sys.stderr)
        print("Không có tệp nào bị ghi dở: các tệp đã có vẫn nguyên vẹn.", file=sys.stderr)
        return 1
    return status


def _main(args: argparse.Namespace) -> int:
    if args.jobs is not None and args.jobs < 1:
        print("Lỗi: --jobs phải là số lớn hơn 0", file=sys.stderr)
        return 2

    def warn(message: str) -> None:
        print(f"Cảnh báo: {terminal_safe(message)}", file=sys.stderr)

    if args.teams is None and (args.shard or args.fail_fast or args.scheduler or args.zip or args.verify):
        print("Lỗi: --shard, --fail-fast, --scheduler, --zip và --verify chỉ dùng cùng --teams", file=sys.stderr)
        return 2
    if args.reprint_since is not None or args.reprint_against is not None:
        if args.teams is not None or args.audio or args.review:
            print("Lỗi: --reprint-since và --reprint-against không dùng cùng --teams, --audio hay --review", file=sys.stderr)
            return 2
        return reprint(args, warn)
    if args.review:
        if args.teams is not None or args.audio:
            print("Lỗi: --review không dùng cùng --teams hay --audio", file=sys.stderr)
            return 2
        return review(args, warn)
    if args.teams is not None:
        if args.audio:
            print("Lỗi: --audio không dùng cùng --teams", file=sys.stderr)
            return 2
        return team_packs(args, warn)

    progress, on_progress = file_progress()
    try:
        settings = load_settings(args.config)
        library = load_library(settings.guides_dir, settings.categories, on_warning=warn)
        out = Path(args.out) if args.out is not None else settings.site_dir / PRINTABLES_DIR
        result = build(
            library,
            settings,
            only=args.only,
            jobs=args.jobs,
            out_dir=out,
            progress=on_progress,
            warn=warn,
        )
    except CamnangError as e:
        progress.close()
        if isinstance(e, WriteError) or any(p.message.startswith("không ghi được") for p in e.problems):
            raise WriteError(e.problems) from e
        print(f"Lỗi: {e}", file=sys.stderr)
        print("Không ghi tệp nào; các tệp đã có được giữ nguyên.", file=sys.stderr)
        return 1
    progress.close()
    if args.only is None:
        from camnang.printables.journeysheet import build as journey_sheets
        from camnang.printables.booklet import build as booklet
        from camnang.printables.zalocard import build as zalo_cards
        from camnang.writer import read_regular, write_if_changed

        try:
            cards = zalo_cards(library, settings)
            for name, path in [*journey_sheets(library, settings), *booklet(library, settings), *cards]:
                write_if_changed(out / name, read_regular(path))
            # Cards of a removed guide, or beyond a series now shorter.
            keep = {name for name, _ in cards}
            for old in out.glob("the-zalo-*.png"):
                if old.name not in keep and old.is_file() and not old.is_symlink():
                    old.unlink()
        except CamnangError as e:
            print(f"Lỗi: {e}", file=sys.stderr)
            return 1
    print(f"camnang: {result.summary()}")
    for line in radio_notes(library, settings, args.only):
        print(f"camnang: {line}")
    status = _poster_notes(poster_notes(library, settings, args.only), args.strict)
    if not settings.site_url:
        from camnang.sitebuild import site_url_notice

        print(site_url_notice("python build_posters.py"), file=sys.stderr)
    if args.audio:
        return write_audio(library, settings, out, args.only) or status
    return status


def _poster_notes(lines: list[str], strict: bool) -> int:
    """Poster warnings (steps that need a ``Ngắn:`` line) on standard
    error; with ``--strict`` they are errors: exit status 1 (the files are
    written all the same)."""
    for line in lines:
        print(f"{'Lỗi' if strict else 'Cảnh báo'}: {line}", file=sys.stderr)
    if lines and strict:
        print(f"Lỗi: {len(lines)} áp phích cần dòng 'Ngắn:' (--strict)", file=sys.stderr)
        return 1
    return 0


def _load(args: argparse.Namespace, warn):
    """Settings and guides for the reports that write no file, or the exit
    status after printing why they cannot be read."""
    try:
        settings = load_settings(args.config)
        return settings, load_library(settings.guides_dir, settings.categories, on_warning=warn)
    except CamnangError as e:
        print(f"Lỗi: {e}", file=sys.stderr)
        return 1


def review(args: argparse.Namespace, warn) -> int:
    """``--review``: the review report (camnang.review) on the terminal."""
    from camnang.review import format_report, review_library

    loaded = _load(args, warn)
    if isinstance(loaded, int):
        return loaded
    settings, library = loaded
    print(format_report(review_library(library, settings, only=args.only), library=library), end="")
    return 0


def reprint(args: argparse.Namespace, warn) -> int:
    """``--reprint-since`` / ``--reprint-against``: what to print again."""
    import datetime as dt

    from camnang import reprint as rp
    from camnang.text import vi_date

    loaded = _load(args, warn)
    if isinstance(loaded, int):
        return loaded
    settings, library = loaded
    guides = [g for g in library.guides if args.only is None or g.slug in args.only]
    if args.reprint_since is not None:
        try:
            day = dt.date.fromisoformat(args.reprint_since)
        except ValueError:
            print(f"Lỗi: --reprint-since: ngày không hợp lệ {args.reprint_since!r} (viết dạng 2026-11-01)", file=sys.stderr)
            return 2
        found = rp.since(library, day, args.only)
        if not found:
            print(f"Không có hướng dẫn nào sửa sau ngày {vi_date(day)}: không cần in lại.")
            return 0
        print(f"Cần in lại bản in của {len(found)} hướng dẫn (sửa sau ngày {vi_date(day)}):")
        for r in found:
            print(f"- {r.guide.title} (bản ngày {vi_date(r.guide.edition)})")
            for c in r.changes:
                print(f"    sửa ngày {vi_date(c.date)}: {c.what}")
            if not r.changes:
                print(f"    đối chiếu lại nguồn ngày {vi_date(r.guide.reviewed)}")
            print(f"    tệp: {', '.join(r.files)}")
        return 0
    out = Path(args.out) if args.out is not None else settings.site_dir / PRINTABLES_DIR
    if not out.is_dir():
        print(f"Lỗi: chưa có bản in trong {out}: chạy make build hoặc build_posters.py trước", file=sys.stderr)
        return 1
    if not args.reprint_against.is_dir():
        print(f"Lỗi: --reprint-against: không có thư mục {args.reprint_against}", file=sys.stderr)
        return 1
    names = [n for g in guides for n in rp.files_of(g) if (out / n).is_file()]
    changed = rp.against(out, args.reprint_against, names)
    if not changed:
        print(f"Các {len(names)} bản in giống hệt bản trong {args.reprint_against}: không cần in lại.")
        return 0
    print(f"Cần in lại {len(changed)} trong {len(names)} bản in (khác hoặc mới so với {args.reprint_against}):")
    for name in changed:
        print(f"- {name}")
    return 0


def team_packs(args: argparse.Namespace, warn) -> int:
    """``--teams FILE``: the roster is read and checked in full before
    anything is written; then every team's pack (or the ``--shard``'s)."""
    from camnang.printables.outdir import is_url
    from camnang.printables.teampacks import DEFAULT_DIR, build_packs
    from camnang.roster import load_roster, parse_shard

    progress, on_progress = team_progress()
    try:
        shard = parse_shard(args.shard) if args.shard else None
        settings = load_settings(args.config)
        library = load_library(settings.guides_dir, settings.categories, on_warning=warn)
        roster = load_roster(args.teams)
        for message in roster.warnings:
            warn(message)
        teams = roster.shard(*shard) if shard else roster.teams
        out = args.out if args.out is not None else Path(settings.config_file or args.config).resolve().parent / DEFAULT_DIR
        if not is_url(out):
            out = Path(out)
        if shard:
            print(f"camnang: phần {shard[0]}/{shard[1]}: {len(teams)} trong {len(roster.teams)} tổ", file=sys.stderr)
        result = build_packs(
            teams,
            library,
            settings,
            out,
            only=args.only,
            jobs=args.jobs,
            fail_fast=args.fail_fast,
            progress=on_progress,
            warn=warn,
            roster=args.teams,
            scheduler=args.scheduler,
            zip_communes=args.zip,
            verify=args.verify,
        )
    except CamnangError as e:
        progress.close()
        if isinstance(e, WriteError):
            raise
        print(f"Lỗi: {e}", file=sys.stderr)
        print("Không ghi tệp nào; các tệp đã có được giữ nguyên.", file=sys.stderr)
        return 1
    progress.close()
    if result.problems and all(p.message.startswith("không ghi được") for p in result.problems):
        raise WriteError(result.problems)  # a full or read-only disk: one line, not one per team
    print(f"camnang: {result.summary()}")
    print(f"camnang: {result.report()}")
    # The team layout has its own footer strip: the same rule, its own fit.
    status = _poster_notes(poster_notes(library, settings, args.only, team=True), args.strict)
    if not settings.site_url:
        from camnang.sitebuild import site_url_notice

        print(site_url_notice("python build_posters.py --teams ..."), file=sys.stderr)
    if result.problems:
        print(f"Lỗi ở {len(result.failed)} tổ (các tổ khác đã ghi xong; sửa rồi chạy lại, tệp đã làm được dùng lại):", file=sys.stderr)
        for problem in result.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    return status


def write_audio(library, settings, out: Path, only: list[str] | None) -> int:
    """``--audio``: a WAV preview of each radio script, next to the scripts.
    Without espeak-ng: a notice, and the rest of the build stands."""
    from camnang.audio import espeak_path, write_wav
    from camnang.render.radio import WAV_NAME, script_for

    espeak = espeak_path()
    if espeak is None:
        print(
            "camnang: bỏ qua bản đọc thử (--audio): máy chưa cài espeak-ng "
            "(Debian: sudo apt-get install espeak-ng)",
            file=sys.stderr,
        )
        return 0
    guides = [g for g in library.guides if only is None or g.slug in only]
    try:
        for guide in guides:
            write_wav(script_for(guide, settings), out / WAV_NAME.format(slug=guide.slug), espeak)
    except CamnangError as e:
        print(f"Lỗi: {e}", file=sys.stderr)
        return 1
    print(f"camnang: đọc thử {len(guides)} bài phát thanh bằng espeak-ng, ghi vào {out}")
    return 0


if __name__ == "__main__":
    code = main()
    # Every file is written and closed by now (camnang.writer, OutDir). Skip
    # the interpreter's teardown: when pages were laid out in this process,
    # its garbage collection can release WeasyPrint's Pango objects
    # (g_object_unref through cffi) after their libraries are gone, and the
    # command would crash (exit -11) after doing its work.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(int(code or 0))
