"""What the annual report PDF benchmark reports (bench/pdf.py): the targets of issue 6, each
size's verdict, and the `section:pdf` block of bench/results.md (the rest of the file is left
as it is)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from bench.report import section_block

RATIO_TARGET = 0.7  # chunked wall time / single-pass wall time, at 1,000 members
# Below this size the app lays the body out in one pass (TRANSPARENCY_SINGLE_PASS_BELOW); there
# the target (issue 20) is "no slower and no larger in memory than one pass".
SMALL_BELOW = 150
MEMORY_TARGET_MB = 500  # peak of the chunked build's processes together, at every size
RENDERED_TARGET_MS = 150  # a member's report PDF, median, rendered
CACHED_TARGET_MS = 10  # ... served from the cache


def _verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("pass" if ok else "FAIL")


def judge(row: dict) -> dict:
    chunked, single, members = row["chunked"], row["single"], row["member_pdf"]
    out = {
        "memory": chunked["peak_mb"] < MEMORY_TARGET_MB,
        "rendered": members["rendered_median"] * 1000 < RENDERED_TARGET_MS,
        "cached": members["cached_median"] * 1000 < CACHED_TARGET_MS,
        "ratio": None,
        "cpu_ratio": None,
    }
    if single and row["members"] >= 1000:  # the target is set at 1,000 members
        out["ratio"] = chunked["seconds"] / single["seconds"] <= RATIO_TARGET
        estimate = cpu_bound_seconds(chunked, row.get("workers", 2))
        if estimate is not None:
            out["cpu_ratio"] = estimate / single["cpu_s"] <= RATIO_TARGET
    elif single and row["members"] < SMALL_BELOW:  # no slower, no larger than one pass
        out["ratio"] = (
            chunked["seconds"] <= single["seconds"] and chunked["peak_mb"] <= single["peak_mb"]
        )
        if "cpu_s" in chunked and "cpu_s" in single:
            out["cpu_ratio"] = chunked["cpu_s"] <= single["cpu_s"]
    return out


def cpu_bound_seconds(chunked: dict, workers: int) -> float | None:
    """What the chunked build would take on an idle machine, from its CPU times: the build
    process's own CPU (done one after the other) plus its workers' CPU shared among the
    workers. Pessimistic: the build process also works while the workers lay out. The
    single pass runs in one process, so its CPU time is its idle-machine time."""
    if "self_cpu_s" not in chunked:
        return None
    return chunked["self_cpu_s"] + chunked["children_cpu_s"] / max(1, workers)


def table(rows: list[dict]) -> list[str]:
    lines = [
        "| members | pages | chunked s | CPU s | peak MB (largest process) | single s | CPU s "
        "| peak MB | ratio (CPU-bound) | ≤ 0.7× | < 500 MB | load avg | PDF check |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---|",
    ]
    for row in rows:
        c, s, v = row["chunked"], row["single"], row["verdict"]
        loads = [x for r in (c, s) if r for x in r["load"]]
        single = (
            f"{s['seconds']:.1f} | {s['cpu_s']:.1f} | {s['peak_mb']:.0f}" if s else "skipped | | "
        )
        estimate = cpu_bound_seconds(c, row.get("workers", 2))
        ratio = (
            (
                f"{c['seconds'] / s['seconds']:.2f}"
                + (f" ({estimate / s['cpu_s']:.2f})" if estimate is not None else "")
            )
            if s
            else "–"
        )
        pages = f"{c['pages']}" + (
            f" (single {s['pages']})" if s and s["pages"] != c["pages"] else ""
        )
        lines.append(
            f"| {row['members']:,} | {pages} | {c['seconds']:.1f} | {c['cpu_s']:.1f} | "
            f"{c['peak_mb']:.0f} ({c['process_peak_mb']:.0f}) | {single} | {ratio} | "
            f"{_verdict(v['ratio'])} (CPU {_verdict(v['cpu_ratio'])}) | {_verdict(v['memory'])} | "
            f"{min(loads):.1f}–{max(loads):.1f} | "
            + ("; ".join(row.get("problems", [])) or "tagged, valid")
            + " |"
        )
    lines += [
        "",
        "| members | member PDF rendered, median ms | < 150 ms | from cache, median ms | < 10 ms "
        "| 304 (If-None-Match), median ms |",
        "|---:|---:|---|---:|---|---:|",
    ]
    for row in rows:
        m, v = row["member_pdf"], row["verdict"]
        lines.append(
            f"| {row['members']:,} | {m['rendered_median'] * 1000:.0f} | {_verdict(v['rendered'])} "
            f"| {m['cached_median'] * 1000:.1f} | {_verdict(v['cached'])} "
            f"| {m['conditional_median'] * 1000:.1f} |"
        )
    return lines


NOTES = (
    "chunked: the annual report as the app builds it (data → figures → HTML → chunks laid out "
    "in {workers} worker processes → fragments streamed into one tagged PDF/UA), timed end to "
    "end; single: the same report as one HTML document in one WeasyPrint pass, timed from HTML to PDF only (after a warm-up); below 150 members, where the app lays the body out in one pass itself, timed end to end like chunked (data → figures → HTML → PDF, fresh process, no warm-up). PDF check "
    "(not timed): /StructTreeRoot, /MarkInfo /Marked, /Lang and /Title present and, up to "
    "1,000 members, qpdf's checks (pikepdf `Pdf.check_pdf_syntax()`) without findings. "
    "Each size runs chunked and single alternately ({repeat}× each), in the same run; the "
    "table shows the fastest run of each. ratio = chunked / single wall time; in brackets the same "
    "ratio from CPU times, i.e. what an idle machine would give: (build process CPU + workers' "
    "CPU / {workers}) / single-pass CPU. ≤ 0.7× is the target at 1,000 members (below 150 members, where the app lays the body out in one pass, the same column judges 'no slower and no larger in memory than the single pass': ratio ≤ 1× and peak ≤ the single pass's), < 500 MB peak memory of the "
    "whole "
    "chunked build (all its processes together; in brackets the largest single process) at "
    "every size. CPU s = user + system time of the process and its workers. load avg = the "
    "1-minute load average before and after the measurements on this {cpus}-CPU machine: "
    "above {cpus} other work was competing for the cores and wall times are pessimistic "
    "(CPU times much less so)."
)


def section(rows: list[dict], args, stamp: str) -> str:
    workers = (
        str(args.workers)
        if args.workers >= 0
        else "the app's choice of (none below 150 members: one pass; 2 from 150)"
    )
    notes = NOTES.format(workers=workers, repeat=args.repeat, cpus=os.cpu_count())
    return "\n".join(
        [f"## Annual report PDF (bench/pdf.py, {stamp})", "", *table(rows), "", notes, ""]
    )


def write_section(path: Path, body: str) -> None:
    """Replace (or append) the `section:pdf` block of bench/results.md, leaving the rest."""
    block = section_block("pdf", body)
    text = path.read_text() if path.exists() else "# Benchmark results\n\n"
    pattern = re.compile(r"<!-- section:pdf -->\n.*?<!-- /section:pdf -->\n?", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: block, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text)
