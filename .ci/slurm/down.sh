#!/usr/bin/env bash
# Used by tests/cluster.rs (run by .ci/run): tested on Debian 12
# with slurm-wlm 22.05 and munge 0.5.15; docs/CLUSTER.md has the recipe.
# Tear down the cluster started by slurm-up.sh: jobs, slurmd, slurmctld, slurmstepd leftovers,
# and munged (only if slurm-up started it). Safe to run twice, or when nothing is running.
set -uo pipefail

BASE=${SLURM_LAB_DIR:-/tmp/slurm-lab/cluster}
CONF=$BASE/etc/slurm.conf
log() { echo "slurm-down: $*" >&2; }
# alive PID [COMM]: running (not zombie) and, if given, named COMM (guards against recycled PIDs)
alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null \
          && { [ -z "${2:-}" ] || [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]; }; }
pidof_file() { [ -s "$1" ] && cat "$1" || true; }
# stop PIDs: TERM, wait up to 5 s, then KILL
stop_pids() {
  local p left
  for p in "$@"; do alive "$p" && kill -TERM "$p" 2>/dev/null; done
  for _ in $(seq 50); do
    left=""; for p in "$@"; do alive "$p" && left=1; done
    [ -z "$left" ] && return 0; sleep 0.1
  done
  for p in "$@"; do alive "$p" && { log "SIGKILL $p"; kill -KILL "$p" 2>/dev/null; }; done
  sleep 0.2
}
# processes whose environment has SLURM_CONF=$CONF (slurmstepd inherits it from slurmd;
# job processes inherit it from the submitting shell) and that are slurmstepd or job processes
our_job_pids() {
  local f p env
  for f in /proc/[0-9]*/environ; do
    p=${f#/proc/}; p=${p%/environ}
    [ "$p" = $$ ] && continue
    env=$( { tr '\0' '\n' < "$f"; } 2>/dev/null ) || continue
    grep -qx "SLURM_CONF=$CONF" <<<"$env" || continue
    if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = slurmstepd ] || grep -q '^SLURM_JOB_ID=' <<<"$env"; then
      alive "$p" && echo "$p"
    fi
  done
}

ctl=$(pidof_file "$BASE/run/slurmctld.pid"); alive "$ctl" slurmctld || ctl=""
d=$(pidof_file "$BASE/run/slurmd.pid"); alive "$d" slurmd || d=""

# 1. cancel jobs while the daemons are still up, so slurmstepd cleans up its job processes
if [ -f "$CONF" ] && alive "$ctl"; then
  export SLURM_CONF=$CONF
  if [ -n "$(squeue -h -o %A 2>/dev/null)" ]; then
    log "cancelling jobs"
    scancel --quiet --user=root 2>/dev/null || true
    for _ in $(seq 100); do [ -z "$(squeue -h -t R,CG -o %A 2>/dev/null)" ] && break; sleep 0.1; done
  fi
fi

# 2. daemons (slurmctld also forks a 'slurmscriptd' child that exits with it)
stop_pids $d $ctl
# 3. anything left from jobs (slurmstepd is not a child of slurmd; it survives slurmd)
left=$(our_job_pids); [ -n "$left" ] && { log "killing leftover job processes: $left"; stop_pids $left; }
rm -f "$BASE"/run/slurmctld.pid "$BASE"/run/slurmd.pid

# 4. munged, only if we started it
m=$(pidof_file "$BASE/run/munged.owned")
alive "$m" munged && stop_pids "$m"
rm -f "$BASE/run/munged.owned"

# 5. report
rest=$(ps -eo pid=,stat=,comm= | awk '$2 !~ /^Z/ && $3 ~ /^(slurmctld|slurmd|slurmstepd|slurmscriptd|munged)$/ {print $1" "$3}')
if [ -n "$rest" ]; then log "still running (not started by slurm-up?):"; echo "$rest" >&2; else log "all stopped"; fi
exit 0
