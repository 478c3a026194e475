#!/usr/bin/env python3
"""Runs a consumer and records what it cost: its pid (for readiness checks),
its CPU seconds (user+sys, children included) and, every EVERY seconds, its
VmRSS in kB from /proc/PID/status ("SECONDS KB" lines).
usage: consumer_stats.py DIR EVERY CMD...   (writes DIR/pid, DIR/cpu, DIR/rss)"""
import os, resource, subprocess, sys, time

d, every, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
p = subprocess.Popen(cmd)
open(os.path.join(d, "pid"), "w").write(str(p.pid))
start, samples, next_at = time.monotonic(), [], 0.0
while p.poll() is None:
    t = time.monotonic() - start
    if every > 0 and t >= next_at:
        try:
            for l in open(f"/proc/{p.pid}/status"):
                if l.startswith("VmRSS:"):
                    samples.append(f"{t:.1f} {l.split()[1]}")
        except OSError:
            pass
        next_at += every
    time.sleep(0.05)
u = resource.getrusage(resource.RUSAGE_CHILDREN)
open(os.path.join(d, "cpu"), "w").write(str(u.ru_utime + u.ru_stime))
open(os.path.join(d, "rss"), "w").write("".join(s + "\n" for s in samples))
sys.exit(p.returncode)
