#!/usr/bin/env bash
# Runs Mesa 3 (benches/peers/mesa_bass.py) and agora's bass-diffusion scenario on the same
# population sizes and days, and prints agent-days per second for both and their ratio.
#
#   benches/peers/compare_bass.sh [SIZES] [DAYS] [THREADS]
#
# defaults: "10000 100000 1000000", 100 days, 2 threads. Needs `pip install "mesa==3.3.*"`.
# Both sides are timed the same way: model set-up (population) and every day's step, nothing
# else: agora by `agora run --bench`, Mesa with perf_counter around model creation and steps.
# Neither counts process start-up or writing results.
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes=${1:-"10000 100000 1000000"}
days=${2:-100}
threads=${3:-2}
python3 -c 'import mesa; assert mesa.__version__.startswith("3."), mesa.__version__' \
  || { echo "Mesa 3 is needed: pip install 'mesa==3.3.*'" >&2; exit 1; }
cargo build --release --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-9s %5s %14s %14s %8s %12s %12s\n' agents days mesa_ad/s agora_ad/s ratio mesa_share agora_share
for n in $sizes; do
  # Wait for Mesa to exit (it frees its agents after printing) before timing agora.
  python3 benches/peers/mesa_bass.py "$n" "$days" 0.003 0.08 1 > "$out/mesa"
  read -r _ _ _ _ mesa_rate mesa_share < "$out/mesa"
  ./target/release/agora run scenarios/bass-diffusion.toml --bench \
    --out "$out/run" --replicates 1 --days "$days" --threads "$threads" \
    --set population.size="$n" > "$out/agora"
  secs=$(sed -n 's/^bench: .* in \([0-9.]*\) s .*/\1/p' "$out/agora")
  agora_share=$(awk -F, -v d="$days" -v n="$n" '$2 == d { printf "%.4f", $3 / n }' "$out/run/timeseries.csv")
  awk -v n="$n" -v d="$days" -v m="$mesa_rate" -v s="$secs" -v ms="$mesa_share" -v as="$agora_share" 'BEGIN {
    a = n * d / (s > 0 ? s : 0.001)
    printf "%-9d %5d %14.0f %14.0f %7.1fx %12s %12s\n", n, d, m, a, a / m, ms, as }'
done
