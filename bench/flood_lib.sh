# Shared by the throughput benches (sourced): the getppid() flooder, the
# native libbpf consumer, and one measured run of a consumer against them.
# Needs: $root (repository), $work (scratch dir), $secs (flood seconds).

# Builds $work/gen (the flooder), $work/native (the native consumer) and
# $work/count (the counter of JSON lines, by field).
flood_build_tools() {
  cc -O2 -Wall -I"$root/bench" -o "$work/native" "$root/bench/native_consumer.c" -lbpf
  cc -O2 -Wall -o "$work/gen" "$root/bench/flood_gen.c"
  cc -O2 -Wall -o "$work/count" "$root/bench/count_events.c"
}

# flood_run NAME WAIT COUNT CMD...
#   WAIT  "attached": wait for that word on the consumer's stderr;
#         a number: sleep that many seconds (apps print nothing when attached).
#   COUNT "native": the consumer prints "events N lost M ..." on stdout;
#         "native-err": the same line on its stderr (its stdout: JSON lines);
#         "json": count JSON lines with a "seq" field (bench/count_events.c;
#         the sampled maps' {"map": ...} lines are not events);
#         "quiet": ecli -q's "N events of 'events' were read" on stderr.
#   lost: the flooder's calls that were not delivered (the program's reserve
#   failures and anything unread), the same for every consumer.
#   @PID@ in CMD becomes the flooder's pid. The flooder waits on a fifo until
#   the consumer is ready. Prints "NAME calls received lost seconds cpu_seconds".
#   Exits when the consumer fails.
flood_run() {
  local name="$1" wait="$2" count="$3"; shift 3
  rm -f "$work/go" "$work/err" "$work/out"; mkfifo "$work/go"
  # Flooder and consumer on cores of their own when there are two: left to
  # the scheduler, the same consumer's CPU per event varied by a third from
  # run to run on a 2-core VM (sharing a core changes how records batch).
  local gen_cpu=() consumer_cpu=()
  if [ "$(nproc)" -ge 2 ]; then gen_cpu=(taskset -c 0); consumer_cpu=(taskset -c 1); fi
  "${gen_cpu[@]}" "$work/gen" "$secs" < "$work/go" > "$work/calls" &
  local gen=$!
  exec 3> "$work/go"   # opened after the reader: the flooder is blocked in fgets
  local cmd=("${@//@PID@/$gen}")
  # The wrapper records the consumer's CPU time (user+sys) in $work/cpu.
  python3 -c 'import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
u = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write(str(u.ru_utime + u.ru_stime))
sys.exit(rc)' "$work/cpu" "${consumer_cpu[@]}" "${cmd[@]}" > "$work/out" 2> "$work/err" &
  local consumer=$!
  if [ "$wait" = attached ]; then
    for _ in $(seq 200); do grep -q "attached" "$work/err" && break; sleep 0.05; done
    grep -q "attached" "$work/err" || { cat "$work/err" >&2; exit 1; }
  else
    sleep "$wait"
  fi
  echo go >&3; exec 3>&-
  wait "$gen" || { echo "flood_run: the flooder failed" >&2; exit 1; }
  wait "$consumer" || { echo "flood_run: $name failed:" >&2; cat "$work/err" >&2; exit 1; }
  local received calls
  calls=$(cat "$work/calls")
  case "$count" in
    native) read -r _ received _ < "$work/out" ;;
    native-err) read -r _ received _ < <(grep '^events [0-9]* lost ' "$work/err") ;;
    json) read -r received _ < <("$work/count" < "$work/out") ;;
    quiet) received=$(sed -n "s/^[a-z]*: \([0-9]*\) events of 'events' were read\$/\1/p" "$work/err") ;;
  esac
  [[ "$received" =~ ^[0-9]+$ ]] || { echo "flood_run: no count from $name:" >&2; cat "$work/err" >&2; exit 1; }
  echo "$name $calls $received $((calls - received)) $secs $(cat "$work/cpu")"
}

# flood_row LINE: prints one table row to stderr and echoes "name rate lost per_cpu calls".
flood_row() {
  local n calls received lost s cpu rate per_cpu
  read -r n calls received lost s cpu <<< "$1"
  rate=$(python3 -c "print(round($received / $s))")
  per_cpu=$(python3 -c "print(round($received / max($cpu, 1e-3)))")
  printf '%-12s %12s %12s %10s %12s %10.2f %16s\n' "$n" "$calls" "$received" "$lost" "$rate" "$cpu" "$per_cpu" >&2
  echo "$n $rate $lost $per_cpu $calls"
}

flood_header() {
  printf '%-12s %12s %12s %10s %12s %10s %16s\n' consumer calls received lost events/s cpu_s events/cpu_s >&2
}
