#!/usr/bin/python3
"""Plots the curves of bench/scale_compile.sh and bench/scale_events.sh.
usage: /usr/bin/python3 bench/plot_scale.py CSV_DIR PNG_DIR
  CSV_DIR holds scale_compile.csv and/or scale_events.csv (at least one);
  PNG_DIR gets scale_compile.png (ecc warm and bare clang, time vs source +
  header bytes) and scale_events.png (delivered rate, consumer CPU seconds
  per second and lost events vs offered rate, ecli -j and -q vs native;
  medians over the runs). Needs Debian's python3-matplotlib."""
import csv
import os
import statistics
import sys

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter
except ImportError as e:
    sys.exit(f"plot_scale.py: matplotlib: {e} (apt-get install python3-matplotlib; run with /usr/bin/python3)")


def read(path, columns):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    missing = [c for c in columns if rows and c not in rows[0]]
    if not rows or missing:
        sys.exit(f"plot_scale.py: {path}: {'no rows' if not rows else 'no column ' + missing[0]}")
    return rows


def save(fig, path):
    tmp = path + ".tmp.png"
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    os.replace(tmp, path)
    print(f"plot_scale.py: {path}", file=sys.stderr)


def plot_compile(path, out):
    rows = sorted(read(path, ["size_bytes", "program", "ecc_ms", "clang_ms"]), key=lambda r: int(r["size_bytes"]))
    x = [int(r["size_bytes"]) / 1024 for r in rows]
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.plot(x, [float(r["ecc_ms"]) for r in rows], "o-", label="ecc (warm cache)")
    ax.plot(x, [float(r["clang_ms"]) for r in rows], "s--", label="bare clang -O2 -target bpf")
    for xi, r in zip(x, rows):
        ax.annotate(r["program"], (xi, float(r["ecc_ms"])), textcoords="offset points", xytext=(4, 6), fontsize=7)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
    ax.set_xlabel("program source + header (KiB, log)")
    ax.set_ylabel("compile time (ms, median)")
    ax.set_title("ecc vs bare clang by program size")
    ax.set_ylim(bottom=0)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    save(fig, os.path.join(out, "scale_compile.png"))


def plot_events(path, out):
    cols = ["consumer", "target_rate", "offered_rate", "delivered_rate", "cpu_per_s", "lost"]
    rows = read(path, cols)
    styles = {"native": ("k", "s", "native libbpf (count)"), "ecli-j": ("C0", "o", "ecli run -j"),
              "ecli-q": ("C1", "^", "ecli run -q")}
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.8))
    panels = [("delivered_rate", "delivered events/s"), ("cpu_per_s", "consumer CPU s per s"),
              ("lost", "lost events (calls - delivered)")]
    for consumer in sorted({r["consumer"] for r in rows}):
        color, marker, label = styles.get(consumer, (None, "x", consumer))
        rates = sorted({r["target_rate"] for r in rows if r["consumer"] == consumer}, key=float)
        med = lambda rate, k: statistics.median(float(r[k]) for r in rows
                                                if r["consumer"] == consumer and r["target_rate"] == rate)
        x = [med(rate, "offered_rate") for rate in rates]
        for ax, (key, _) in zip(axes, panels):
            ax.plot(x, [med(rate, key) for rate in rates], marker=marker, color=color, label=label)
    top = max(float(r["offered_rate"]) for r in rows)
    axes[0].plot([1e3, top * 1.5], [1e3, top * 1.5], ":", color="grey", label="delivered = offered")
    for ax, (key, ylabel) in zip(axes, panels):
        ax.set_xscale("log")
        ax.set_xlabel("offered events/s (achieved, log)")
        ax.set_ylabel(ylabel)
        ax.grid(True, which="both", alpha=0.3)
        if key == "delivered_rate":
            ax.set_yscale("log")
        elif key == "lost":
            ax.set_yscale("symlog", linthresh=10)
            ax.set_ylim(0, max([10.0] + [float(r["lost"]) for r in rows]) * 2)
        else:
            ax.set_ylim(bottom=0)
    axes[0].legend(fontsize=8)
    fig.suptitle("ring-buffer flood at held rates: ecli vs the native consumer (medians)")
    fig.tight_layout()
    save(fig, os.path.join(out, "scale_events.png"))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    compile_csv, events_csv = os.path.join(src, "scale_compile.csv"), os.path.join(src, "scale_events.csv")
    if not os.path.exists(compile_csv) and not os.path.exists(events_csv):
        sys.exit(f"plot_scale.py: {src}: neither scale_compile.csv nor scale_events.csv")
    os.makedirs(out, exist_ok=True)
    if os.path.exists(compile_csv):
        plot_compile(compile_csv, out)
    if os.path.exists(events_csv):
        plot_events(events_csv, out)


main()
