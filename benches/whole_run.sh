#!/usr/bin/env bash
# Times whole runs of agora and reports agent-days per second and peak memory.
#
#   benches/whole_run.sh [SCENARIO] [SIZES] [DAYS] [THREADS]
#
# defaults: scenarios/paid-knowledge-community.toml, "10000 100000 1000000 10000000", 365, 2.
# Prints one line per size: agents, days, threads, wall seconds, agent-days/s, peak RSS and
# bytes per agent. Needs GNU time (/usr/bin/time). Builds the release binary first.
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:-scenarios/paid-knowledge-community.toml}
sizes=${2:-"10000 100000 1000000 10000000"}
days=${3:-365}
threads=${4:-2}
cargo build --release --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-10s %5s %7s %9s %16s %10s %9s\n' agents days threads seconds agent-days/s peak_MiB B/agent
for n in $sizes; do
  /usr/bin/time -f '%e %M' -o "$out/time" ./target/release/agora run "$scenario" \
    --out "$out/run" --replicates 1 --days "$days" --threads "$threads" \
    --set population.size="$n" > /dev/null
  read -r secs kib < "$out/time"
  awk -v n="$n" -v d="$days" -v t="$threads" -v s="$secs" -v k="$kib" 'BEGIN {
    printf "%-10d %5d %7d %9.2f %16.0f %10.1f %9.1f\n", n, d, t, s, n * d / s, k / 1024, k * 1024 / n }'
done
