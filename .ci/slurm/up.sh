#!/usr/bin/env bash
# Used by tests/cluster.rs (run by .ci/run): tested on Debian 12
# with slurm-wlm 22.05 and munge 0.5.15; docs/CLUSTER.md has the recipe.
# Bring up a one-node Slurm cluster on localhost (root, no systemd). Idempotent.
# Usage: eval "$(bash slurm-up.sh)"     # stdout = export lines only; logs go to stderr
# Env knobs: SLURM_LAB_DIR (default /tmp/slurm-lab/cluster), SLURM_LAB_TIMEOUT (default 60 s),
#            SLURM_LAB_MIN_JOB_AGE (default 300; see notes on sbatch --wait polling)
set -euo pipefail

BASE=${SLURM_LAB_DIR:-/tmp/slurm-lab/cluster}
TIMEOUT=${SLURM_LAB_TIMEOUT:-60}
MIN_JOB_AGE=${SLURM_LAB_MIN_JOB_AGE:-300}
CONF=$BASE/etc/slurm.conf
log() { echo "slurm-up: $*" >&2; }
die() { log "ERROR: $*"; for f in "$BASE"/log/*.log; do [ -f "$f" ] && { echo "== $f" >&2; tail -n 20 "$f" >&2; }; done; exit 1; }
# alive PID [COMM]: running (not zombie) and, if given, named COMM (guards against recycled PIDs)
alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null \
          && { [ -z "${2:-}" ] || [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]; }; }
pidof_file() { [ -s "$1" ] && cat "$1" || true; }

[ "$(id -u)" = 0 ] || die "must run as root"

# ---------- 1. packages ----------
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null \
   || ! command -v munged >/dev/null || ! command -v unmunge >/dev/null; then
  log "installing slurm-wlm munge"
  export DEBIAN_FRONTEND=noninteractive
  # Keep package postinst scripts from starting the distro's own daemons (invoke-rc.d).
  tmp_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    tmp_policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' > "$tmp_policy"; chmod 755 "$tmp_policy"
  fi
  rc=0
  { apt-get install -y -q slurm-wlm munge >&2 2>&1 || { apt-get update -q >&2 && apt-get install -y -q slurm-wlm munge >&2; }; } || rc=$?
  [ -n "$tmp_policy" ] && rm -f "$tmp_policy"
  [ "$rc" = 0 ] || die "apt-get install failed"
fi

# ---------- 2. munge ----------
mkdir -p "$BASE"/{etc,state,spool,log,run}
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  log "munged already answering; reusing it"
else
  getent passwd munge >/dev/null || die "no munge user (munge package broken?)"
  install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
  install -d -o munge -g munge -m 0755 /run/munge
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key
  # stale pid file/socket from a killed munged
  old=$(pidof_file /run/munge/munged.pid); alive "$old" munged || rm -f /run/munge/munged.pid /run/munge/munge.socket.2 /run/munge/munge.socket.2.lock
  runuser -u munge -- /usr/sbin/munged || die "munged failed to start (see /var/log/munge/munged.log)"
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n | unmunge >/dev/null || die "munged not answering"
  cp /run/munge/munged.pid "$BASE/run/munged.owned"   # down script stops munged only if we started it
  log "munged started (pid $(cat /run/munge/munged.pid))"
fi

# ---------- 3. slurm ----------
export SLURM_CONF=$CONF
NODE_LINE=$(slurmd -C | grep '^NodeName=')          # e.g. NodeName=vm CPUs=2 ... RealMemory=24105
NODE=$(sed 's/^NodeName=\([^ ]*\).*/\1/' <<<"$NODE_LINE")
NEW_CONF=$(cat <<EOF
ClusterName=lab
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$BASE/state
SlurmdSpoolDir=$BASE/spool
SlurmctldPidFile=$BASE/run/slurmctld.pid
SlurmdPidFile=$BASE/run/slurmd.pid
SlurmctldLogFile=$BASE/log/slurmctld.log
SlurmdLogFile=$BASE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
EnforcePartLimits=ALL
DependencyParameters=kill_invalid_depend
MinJobAge=$MIN_JOB_AGE
KillWait=5
$NODE_LINE NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
)
ctl=$(pidof_file "$BASE/run/slurmctld.pid"); d=$(pidof_file "$BASE/run/slurmd.pid")
FRESH=0
if alive "$ctl" slurmctld && alive "$d" slurmd && [ "$NEW_CONF" = "$(cat "$CONF" 2>/dev/null)" ] \
   && [[ "$(sinfo -h -o %t 2>/dev/null | head -1)" =~ ^(idle|mix|alloc|comp)$ ]]; then
  log "cluster already up (same config); leaving it running"
else
  FRESH=1
  # partial/stale state or changed config: stop whatever of ours is left and start clean
  alive "$d" slurmd || d=""; alive "$ctl" slurmctld || ctl=""
  for p in $d $ctl; do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 50); do alive "$d" || alive "$ctl" || break; sleep 0.1; done
  for p in $d $ctl; do alive "$p" && kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$BASE"/state/* "$BASE"/spool/* "$BASE"/run/slurm*.pid
  printf '%s\n' "$NEW_CONF" > "$CONF"
  log "starting slurmctld, slurmd (conf $CONF)"
  slurmctld || die "slurmctld failed"
  slurmd -N "$NODE" || die "slurmd failed"
fi

# ---------- 4. wait for idle ----------
deadline=$((SECONDS + TIMEOUT)); state=""
while [ "$FRESH" = 1 ]; do
  state=$(sinfo -h -o %t 2>/dev/null | head -1 || true)
  [ "$state" = idle ] && break
  [ $SECONDS -ge $deadline ] && die "node not idle after ${TIMEOUT}s (state '$state')"
  sleep 0.5
done
log "node up: $(sinfo -h -o '%n %t %c CPUs')"
echo "export SLURM_CONF=$CONF"
