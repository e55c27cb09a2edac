#!/usr/bin/env python3
"""Draws the benchmark figures from the TSV files the bench scripts write.

Usage: plot.py throughput TSV PNG   req/s against connections, one line per path (bench/sweep.sh's TSV)
       plot.py latency TSV PNG      latency percentiles at one connection, one curve per path (bench/latency.sh's TSV)
       plot.py creation TSV PNG     a runtime's creation, p50 per phase end to end, one bar per function
                                    (bench/creation.sh's TSV: a header line, then columns phase, p50_ms, p99_ms)

The throughput and latency TSVs have a header line and the columns
path, connections, rps, p50_ms, p75_ms, p90_ms, p99_ms, p99.9_ms, non2xx, socket_errors.
Needs matplotlib (apt-get install -y python3-matplotlib; run with /usr/bin/python3).
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

PERCENTILES = ["50", "75", "90", "99", "99.9"]


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def by_path(rows):
    paths = {}
    for row in rows:
        paths.setdefault(row["path"], []).append(row)
    return paths


def throughput(rows, png):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for path, points in by_path(rows).items():
        points.sort(key=lambda r: int(r["connections"]))
        xs = [int(r["connections"]) for r in points]
        ax.plot(xs, [float(r["rps"]) for r in points], marker="o", label=path)
    ax.set_xscale("log", base=2)
    ax.set_xticks(xs)
    ax.set_xticklabels([str(x) for x in xs])
    ax.set_xlabel("connections (wrk -t1)")
    ax.set_ylabel("requests/s")
    ax.set_ylim(bottom=0)
    ax.set_title("Throughput against connections (1 KB response, loopback)")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(png, dpi=120)


def latency(rows, png):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    xs = range(len(PERCENTILES))
    for row in rows:
        ax.plot(xs, [float(row[f"p{p}_ms"]) for p in PERCENTILES], marker="o", label=row["path"])
    ax.set_xticks(list(xs))
    ax.set_xticklabels([f"p{p}" for p in PERCENTILES])
    ax.set_yscale("log")
    # Plain numbers on the log axis (0.5, 1, 2, 5 ms), not powers of ten: the curves span one or two decades.
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(matplotlib.ticker.FuncFormatter(
        lambda v, _: f"{v:g}" if f"{v:e}"[0] in "25" else ""))
    ax.set_xlabel("percentile")
    ax.set_ylabel("latency (ms, log scale)")
    connections = rows[0]["connections"] if rows else "?"
    ax.set_title(f"Latency percentiles at {connections} connection (1 KB response, loopback)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(png, dpi=120)


def creation(rows, png):
    """One bar per function: the p50 of each phase laid end to end in the order the phases run, so the bar's
    length is about the client's p50 and each segment says where that time goes. The function's own start is
    hatched: it is not Hearth's. Gaps between phases (and the difference between a sum of p50s and the p50 of the
    sum) show as "other"."""
    p50 = {r["phase"]: float(r["p50_ms"]) for r in rows}
    kinds = sorted({phase.split("/", 1)[0] for phase in p50})
    segments = [("reserve + acquire + lease + register", ("reserve", "acquire", "lease", "register")),
                ("runner call (transport, hops, source stream)", ("runner call",)),
                ("extract", ("extract",)),
                ("start (the function's own)", ("start",)),
                ("response (HTTP out, client)", ("response",))]
    fig, axes = plt.subplots(len(kinds), 1, figsize=(8, 1.3 * len(kinds) + 1.6), squeeze=False)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, kind in zip(axes[:, 0], kinds):  # one axis per function: an exec creation is ~10x shorter than http's
        total = p50.get(f"{kind}/client total", 0.0)
        left = 0.0
        for i, (label, parts) in enumerate(segments):
            width = sum(p50.get(f"{kind}/{part}", 0.0) for part in parts)
            ax.barh(0, width, left=left, color=colors[i], hatch="//" if parts == ("start",) else None,
                    label=label)
            if width >= 0.07 * total:
                ax.text(left + width / 2, 0, f"{width:.1f}", ha="center", va="center", fontsize=8)
            left += width
        ax.barh(0, max(0.0, total - left), left=left, color="lightgrey", label="other")
        note = f"client p50 {total:.1f} ms"
        added = p50.get(f"{kind}/added by Hearth")
        if added is not None:
            note += f"; added by Hearth {added:.1f} ms"
        ax.set_title(f"{kind}: {note}", fontsize=10, loc="left")
        ax.set_yticks([])
        ax.set_xlim(0, max(total, left) * 1.02)
        ax.grid(True, axis="x", alpha=0.3)
    axes[-1, 0].set_xlabel("ms (p50 of each phase, end to end in the order they run)")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8)
    fig.suptitle("Runtime creation from a warm pool, by phase")
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    fig.savefig(png, dpi=120)


def main(argv):
    figures = {"throughput": throughput, "latency": latency, "creation": creation}
    if len(argv) != 4 or argv[1] not in figures:
        sys.exit(__doc__)
    figures[argv[1]](read(argv[2]), argv[3])


if __name__ == "__main__":
    main(sys.argv)
