#!/usr/bin/env python3
"""One row of bench/run.sh's table: a measured value against a floor measured
in the same run, their ratio and the target it is held to.

usage: result.py BENCH WHAT VALUE FLOOR_WHAT FLOOR UNIT OP TARGET [NOTE] [--ratio=R]
  OP is ">=" (higher is better: events per CPU-second) or "<=" (lower is
  better: milliseconds); TARGET the ratio VALUE/FLOOR must meet, "-" when the
  row is information only. Prints
  RESULT|BENCH|WHAT|VALUE UNIT|FLOOR_WHAT|FLOOR UNIT|RATIO|OP TARGET|met|NOTE
  on stdout (met is yes, no or -). FLOOR "-": a figure with no floor
  (information only; OP and TARGET "-" too). Under BENCH_SMOKE=1 the row is printed
  the same way; run.sh asserts nothing about it.
  --ratio=R: the ratio was measured in pairs (the median of each pair's
  VALUE/FLOOR, as drift cancels within a pair); VALUE and FLOOR are then the
  medians of each side, shown as information."""
import sys

paired = [a for a in sys.argv[1:] if a.startswith("--ratio=")]
sys.argv = [a for a in sys.argv if not a.startswith("--ratio=")]
if len(sys.argv) not in (9, 10) or len(paired) > 1:
    sys.exit(__doc__)
bench, what, value, floor_what, floor, unit, op, target = sys.argv[1:9]
note = sys.argv[9] if len(sys.argv) == 10 else ""
if op not in (">=", "<=", "-") or (op == "-") != (floor == "-"):
    sys.exit(f"result.py: OP must be >= or <= (or - with FLOOR -), not {op!r}")


def fmt(x):
    return f"{x:.0f}" if abs(x) >= 100 else f"{x:.3g}"


v = float(value)
if floor == "-":
    if target != "-":
        sys.exit("result.py: a figure without a floor has no target")
    print(f"RESULT|{bench}|{what}|{fmt(v)} {unit}|-|-|-|-|-|{note}")
    sys.exit(0)
f = float(floor)
ratio = v / f if f else (1.0 if v == 0 else float("inf"))  # 0 of 0 (lost): equal
if paired:
    ratio = float(paired[0].split("=", 1)[1])
if target == "-":
    met, goal = "-", "-"
else:
    t = float(target)
    met = "yes" if (ratio >= t if op == ">=" else ratio <= t) else "no"
    goal = f"{op} {t:g}"
print(f"RESULT|{bench}|{what}|{fmt(v)} {unit}|{floor_what}|{fmt(f)} {unit}|{ratio:.2f}|{goal}|{met}|{note}")
