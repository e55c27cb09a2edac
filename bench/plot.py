#!/usr/bin/env python3
"""Draws the benchmark figures from the TSV files the bench scripts write.

Usage: plot.py throughput TSV PNG   req/s against connections, one line per path (bench/sweep.sh's TSV)
       plot.py latency TSV PNG      latency percentiles at one connection, one curve per path (bench/latency.sh's TSV)
       plot.py creation TSV PNG     p50 and p99 per phase of a runtime's creation (bench/creation.sh's TSV:
                                    a header line, then columns phase, p50_ms, p99_ms)

The throughput and latency TSVs have a header line and the columns
path, connections, rps, p50_ms, p75_ms, p90_ms, p99_ms, p99.9_ms, non2xx, socket_errors.
Needs matplotlib (apt-get install -y python3-matplotlib; run with /usr/bin/python3).
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

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
    ax.set_xlabel("percentile")
    ax.set_ylabel("latency (ms, log scale)")
    connections = rows[0]["connections"] if rows else "?"
    ax.set_title(f"Latency percentiles at {connections} connection (1 KB response, loopback)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(png, dpi=120)


def creation(rows, png):
    phases = [r["phase"] for r in rows]
    p50 = [float(r["p50_ms"]) for r in rows]
    p99 = [float(r["p99_ms"]) for r in rows]
    fig, ax = plt.subplots(figsize=(7, 0.6 * len(rows) + 1.5))
    ys = range(len(rows))
    height = 0.38
    ax.barh([y - height / 2 for y in ys], p50, height, label="p50")
    ax.barh([y + height / 2 for y in ys], p99, height, label="p99")
    for y, a, b in zip(ys, p50, p99):
        ax.text(a, y - height / 2, f" {a:g}", va="center", fontsize=8)
        ax.text(b, y + height / 2, f" {b:g}", va="center", fontsize=8)
    ax.set_yticks(list(ys))
    ax.set_yticklabels(phases)
    ax.invert_yaxis()
    ax.set_xlabel("ms")
    ax.set_title("Runtime creation phases")
    ax.grid(True, axis="x", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(png, dpi=120)


def main(argv):
    figures = {"throughput": throughput, "latency": latency, "creation": creation}
    if len(argv) != 4 or argv[1] not in figures:
        sys.exit(__doc__)
    figures[argv[1]](read(argv[2]), argv[3])


if __name__ == "__main__":
    main(sys.argv)
