# Shared by the throughput benches (sourced): the getppid() flooder, the
# native libbpf consumer, and one measured run of a consumer against them.
# Needs: $root (repository), $work (scratch dir), $secs (flood seconds).

# Builds $work/gen (the flooder) and $work/native (the native consumer).
flood_build_tools() {
  cc -O2 -Wall -I"$root/bench" -o "$work/native" "$root/bench/native_consumer.c" -lbpf
  cc -O2 -Wall -o "$work/gen" "$root/bench/flood_gen.c"
}

# flood_run NAME WAIT COUNT CMD...
#   WAIT  "attached": wait for that word on the consumer's stderr;
#         a number: sleep that many seconds (apps print nothing when attached).
#   COUNT "native": the consumer prints "received N lost M";
#         "json": count JSON records with a "seq" field, lost = sequence gaps.
#   @PID@ in CMD becomes the flooder's pid. The flooder waits on a fifo until
#   the consumer is ready. Prints "NAME calls received lost seconds cpu_seconds".
flood_run() {
  local name="$1" wait="$2" count="$3"; shift 3
  rm -f "$work/go" "$work/err" "$work/out"; mkfifo "$work/go"
  "$work/gen" "$secs" < "$work/go" > "$work/calls" &
  local gen=$!
  exec 3> "$work/go"   # opened after the reader: the flooder is blocked in fgets
  local cmd=("${@//@PID@/$gen}")
  # The wrapper records the consumer's CPU time (user+sys) in $work/cpu.
  python3 -c 'import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
u = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write(str(u.ru_utime + u.ru_stime))
sys.exit(rc)' "$work/cpu" "${cmd[@]}" > "$work/out" 2> "$work/err" &
  local consumer=$!
  if [ "$wait" = attached ]; then
    for _ in $(seq 200); do grep -q "attached" "$work/err" && break; sleep 0.05; done
    grep -q "attached" "$work/err" || { cat "$work/err" >&2; exit 1; }
  else
    sleep "$wait"
  fi
  echo go >&3; exec 3>&-
  wait "$gen"
  wait "$consumer"
  local received lost
  if [ "$count" = native ]; then
    read -r _ received _ lost _ < "$work/out"
  else
    read -r received lost < <(python3 - "$work/out" <<'PY'
import json, sys
# Events by field: a JSON line with "seq" is a flood record; the sampled
# maps' lines ({"map": ...}) and anything else are not events.
seqs = []
for l in open(sys.argv[1]):
    try:
        rec = json.loads(l)
    except ValueError:
        continue
    if isinstance(rec, dict) and "seq" in rec:
        seqs.append(rec["seq"])
span = max(seqs) - min(seqs) + 1 if seqs else 0
print(len(seqs), span - len(seqs))
PY
)
  fi
  echo "$name $(cat "$work/calls") $received $lost $secs $(cat "$work/cpu")"
}

# flood_row LINE: prints one table row to stderr and echoes "name rate lost per_cpu".
flood_row() {
  local n calls received lost s cpu rate per_cpu
  read -r n calls received lost s cpu <<< "$1"
  rate=$(python3 -c "print(round($received / $s))")
  per_cpu=$(python3 -c "print(round($received / max($cpu, 1e-3)))")
  printf '%-7s %12s %12s %10s %12s %10.2f %16s\n' "$n" "$calls" "$received" "$lost" "$rate" "$cpu" "$per_cpu" >&2
  echo "$n $rate $lost $per_cpu"
}

flood_header() {
  printf '%-7s %12s %12s %10s %12s %10s %16s\n' consumer calls received lost events/s cpu_s events/cpu_s >&2
}
