#!/usr/bin/env bash
# Three "hosts" on this machine, each a network namespace with its own stack, joined by veth pairs
# on private addresses that exist only here: A (Redis and the trainer) <-> B and A <-> C (one
# agent process each). The agents reach Redis over a real network hop, as from other machines.
# Needs root (ip netns), redis-server and a built project (npm run build). Cleans up on exit.
#
#   sudo scripts/netns-multihost.sh [grad|data] [a3c train flags...]
#   sudo scripts/netns-multihost.sh data --env CartPoleNoVel-v1 --policy lstm --stop-reward 475 --max-seconds 600
#
# Flags after the mode go to the trainer after its own (the last of a repeated flag wins); the
# agents build themselves from the trainer's settings.
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=${1:-grad}
shift || true
TRAIN_FLAGS=("$@")
RUN=netns-demo
PORT=6379
PREFIX=a3c-demo
export A3C_REDIS_PASSWORD=${A3C_REDIS_PASSWORD:-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')}
CLI="node dist/src/cli/main.js"

cleanup() {
  for host in a b c; do
    for pid in $(ip netns pids "$PREFIX-$host" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
  done
  wait 2>/dev/null || true
  for host in a b c; do ip netns del "$PREFIX-$host" 2>/dev/null || true; done
}
trap cleanup EXIT

for host in a b c; do
  ip netns add "$PREFIX-$host"
  ip -n "$PREFIX-$host" link set lo up
done
# A <-> B on 10.77.1.0/24, A <-> C on 10.77.2.0/24.
for pair in "b 1" "c 2"; do
  set -- $pair
  ip link add "${PREFIX:0:3}-a$1" type veth peer name "${PREFIX:0:3}-$1a"
  ip link set "${PREFIX:0:3}-a$1" netns "$PREFIX-a"
  ip link set "${PREFIX:0:3}-$1a" netns "$PREFIX-$1"
  ip -n "$PREFIX-a" addr add "10.77.$2.1/24" dev "${PREFIX:0:3}-a$1"
  ip -n "$PREFIX-$1" addr add "10.77.$2.2/24" dev "${PREFIX:0:3}-$1a"
  ip -n "$PREFIX-a" link set "${PREFIX:0:3}-a$1" up
  ip -n "$PREFIX-$1" link set "${PREFIX:0:3}-$1a" up
done

# Redis on host A: loopback and the two private links only, with a password, no persistence.
ip netns exec "$PREFIX-a" redis-server --bind 127.0.0.1 10.77.1.1 10.77.2.1 --port "$PORT" \
  --requirepass "$A3C_REDIS_PASSWORD" --save '' --appendonly no --loglevel warning 2>&1 | sed 's/^/[host A redis] /' &
for _ in $(seq 50); do
  ip netns exec "$PREFIX-a" redis-cli -p "$PORT" --no-auth-warning -a "$A3C_REDIS_PASSWORD" ping >/dev/null 2>&1 && break
  sleep 0.1
done

# One agent process on each of hosts B and C, reaching Redis across its link.
ip netns exec "$PREFIX-b" $CLI agent --transport "redis://10.77.1.1:$PORT/0" --run "$RUN" 2>&1 | sed 's/^/[host B] /' &
ip netns exec "$PREFIX-c" $CLI agent --transport "redis://10.77.2.1:$PORT/0" --run "$RUN" 2>&1 | sed 's/^/[host C] /' &

# The trainer on host A; it ends the run (and the agents leave) once CartPole-v1 is solved.
ip netns exec "$PREFIX-a" $CLI train --transport "redis://127.0.0.1:$PORT/0" --run "$RUN" --mode "$MODE" \
  --stop-reward 195 --max-seconds 120 --json "${TRAIN_FLAGS[@]}" 2> >(sed 's/^/[host A] /' >&2)
