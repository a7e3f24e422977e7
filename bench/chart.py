#!/usr/bin/env python3
"""Draws docs/benchmarks.png from the results Bench keeps (bench/target/results/MODE/*.tsv).

Usage: chart.py RESULTS_DIR OUT.png. One panel per question a user asks: what a packet costs,
how many connections a second, how long the tail latency, how much bulk throughput, how fast
the control plane programs a change. Medians with min-max error bars; absent sections are skipped.
"""
import csv
import glob
import os
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"Ferry": "#1f77b4", "plain routing": "#7f7f7f", "iptables": "#d62728", "nftables": "#ff7f0e",
          "empty XDP": "#bbbbbb", "empty TC": "#dddddd", "iptables-legacy-restore": "#d62728", "nft -f": "#ff7f0e"}


def load(directory):
    rows = []
    for path in sorted(glob.glob(os.path.join(directory, "*.tsv"))):
        with open(path, newline="") as f:
            for r in csv.DictReader(f, delimiter="\t"):
                trials = [float(t) for t in r["trials"].split(",")]
                r["services"] = int(r["services"])
                r["median"] = statistics.median(trials)
                r["min"], r["max"] = min(trials), max(trials)
                rows.append(r)
    return rows


def pick(rows, **where):
    return [r for r in rows if all(r[k] == v for k, v in where.items())]


def errorbar(r):
    return [[r["median"] - r["min"]], [r["max"] - r["median"]]]


def packet_panel(ax, rows):
    ferry = pick(rows, group="packet", subject="Ferry")
    scenarios = list(dict.fromkeys(r["scenario"] for r in ferry))
    scales = sorted({r["services"] for r in ferry})
    width = 0.8 / max(len(scales), 1)
    for i, services in enumerate(scales):
        for j, scenario in enumerate(scenarios):
            for r in pick(ferry, scenario=scenario, services=services):
                ax.bar(j + i * width, r["median"], width, yerr=errorbar(r), capsize=2,
                       color=plt.cm.Blues(0.45 + 0.5 * i / max(len(scales) - 1, 1)),
                       label=f"Ferry, {services:,} service{'s' if services != 1 else ''}" if j == 0 else None)
    for floor, style in (("empty XDP", ":"), ("empty TC", "--")):
        floors = pick(rows, group="packet", subject=floor)
        if floors:
            ax.axhline(floors[0]["median"], color="black", linestyle=style, linewidth=1, label=floor)
    ax.set_xticks([j + width * (len(scales) - 1) / 2 for j in range(len(scenarios))])
    ax.set_xticklabels([s.replace(", ", ",\n") for s in scenarios], fontsize=7)
    ax.set_ylabel("ns per packet (lower is better)")
    ax.set_title("Per packet, BPF_PROG_TEST_RUN")
    ax.legend(fontsize=7)


def traffic_panel(ax, rows, metric, ylabel):
    data = pick(rows, group="traffic", metric=metric)
    for scenario, style in (("pod → ClusterIP", "-"), ("external → NodePort", "--")):
        for subject in ("plain routing", "iptables", "nftables", "Ferry"):
            series = sorted(pick(data, scenario=scenario, subject=subject), key=lambda r: r["services"])
            if not series:
                continue
            ax.errorbar([r["services"] for r in series], [r["median"] for r in series],
                        yerr=[[r["median"] - r["min"] for r in series], [r["max"] - r["median"] for r in series]],
                        linestyle=style, marker="o", markersize=3, capsize=2, color=COLORS[subject],
                        label=f"{subject}, {scenario}")
    ax.set_xscale("log")
    ax.set_ylim(bottom=0)  # a cut axis would magnify small differences
    ax.set_xlabel("services (10 endpoints each)")
    ax.set_ylabel(ylabel)
    ax.set_title(metric)
    ax.legend(fontsize=6)


def control_panel(ax, rows):
    """Ferry and kube-proxy's tools on the same cluster: full sync, one change p50 and p99."""
    groups = [("full sync 10,000 × 10", "time", "full sync"), ("one endpoint change", "p50", "one change, p50"),
              ("one endpoint change", "p99", "one change, p99")]
    subjects = list(dict.fromkeys(r["subject"] for r in pick(rows, group="control")))
    width = 0.8 / max(len(subjects), 1)
    for i, subject in enumerate(subjects):
        for j, (scenario, metric, _) in enumerate(groups):
            for r in pick(rows, group="control", scenario=scenario, metric=metric, subject=subject):
                ax.bar(j + i * width, r["median"], width, yerr=errorbar(r), capsize=2,
                       color=COLORS.get(subject, "#999999"), label=subject if j == 0 else None)
    ax.set_xticks([j + width * (len(subjects) - 1) / 2 for j in range(len(groups))])
    ax.set_xticklabels([label for _, _, label in groups])
    ax.set_yscale("log")
    ax.set_ylabel("ms (lower is better)")
    ax.set_title("Control plane, 10,000 services × 10 endpoints")
    ax.legend(fontsize=7)


def main():
    directory, out = sys.argv[1], sys.argv[2]
    rows = load(directory)
    panels = []
    if pick(rows, group="packet"):
        panels.append(lambda ax: packet_panel(ax, rows))
    for metric, label in (("connections/s", "connections per second (higher is better)"),
                          ("latency p99", "µs (lower is better)"),
                          ("throughput", "Gbit/s (higher is better)")):
        if pick(rows, group="traffic", metric=metric):
            panels.append(lambda ax, m=metric, l=label: traffic_panel(ax, rows, m, l))
    if pick(rows, group="control", unit="ms"):
        panels.append(lambda ax: control_panel(ax, rows))
    if not panels:
        sys.exit(f"chart.py: no results in {directory}")
    cols = 2 if len(panels) > 1 else 1
    rows_n = (len(panels) + cols - 1) // cols
    fig, axes = plt.subplots(rows_n, cols, figsize=(7 * cols, 4.5 * rows_n), squeeze=False)
    for ax, draw in zip(axes.flat, panels):
        draw(ax)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    main()
