#!/usr/bin/env bash
# Bring up the mcp integration testbed (idempotent; fast when already up).
#
#   tests/testbed/up.sh           install what is missing, start what is down
#   tests/testbed/up.sh --down    stop what up.sh started (registry, moto) and this
#                                 testbed's task containers; dockerd stays
#   tests/testbed/up.sh --purge   --down, then undo every change to the machine:
#                                 the /etc/hosts line, the CA in the system store and
#                                 dockerd's certs.d, the base image, dockerd if up.sh
#                                 started it, and the state folder (packages stay)
#
# Parts: dockerd, base image mcp-testbed/busybox:latest, TLS certs + trust,
# Distribution registry on 127.0.0.1:443 posing as the ECR registry
# 123456789012.dkr.ecr.us-east-1.amazonaws.com, and the extended moto server on
# 127.0.0.1:5055 (server.py), named mcp-testbed.localhost (and its stream-
# form, which the SDK calls for Live Tail).  Writes $MCP_TESTBED_DIR/env for
# tests to source.  Only loopback is ever used; nothing is pulled from the internet.
#
# A good neighbour: it only ever stops processes whose pid (and start time) it
# recorded in its state folder, binds and probes exactly its own addresses, and
# stops with the pid and command of anything else holding them.  A second
# instance (another MCP_TESTBED_DIR, MCP_TESTBED_MOTO_PORT and
# MCP_TESTBED_REGISTRY_ADDR) makes no system-wide change and never touches the
# first one's processes or task containers.
set -euo pipefail
umask 077 # the state folder holds a CA key and the registry's secrets

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DEFAULT_STATE=/tmp/mcp-testbed
export MCP_TESTBED_DIR="${MCP_TESTBED_DIR:-$DEFAULT_STATE}"
STATE="$MCP_TESTBED_DIR"
ACCOUNT=123456789012
REGION=us-east-1
REGISTRY_HOST="$ACCOUNT.dkr.ecr.$REGION.amazonaws.com"
REGISTRY_ADDR="${MCP_TESTBED_REGISTRY_ADDR:-127.0.0.1:443}"
REGISTRY_IP="${REGISTRY_ADDR%:*}"
REGISTRY_PORT="${REGISTRY_ADDR##*:}"
MOTO_PORT="${MCP_TESTBED_MOTO_PORT:-5055}"
MOTO_URL="http://127.0.0.1:$MOTO_PORT"  # what up.sh probes, and the registry notifies
MOTO_HOST=mcp-testbed.localhost         # what the SDK calls (Live Tail prepends "stream-")
BASE_IMAGE="mcp-testbed/busybox:latest"
# The local stand-in for public.ecr.aws/awsguru/aws-lambda-adapter (not pullable here):
# the same layout (/lambda-adapter), inert; lambda_sim.py plays the adapter.
ADAPTER_IMAGE="mcp-testbed/lambda-adapter:latest"
PY="${PYTHON:-python3}"
CERTS="$STATE/certs"
REG="$STATE/registry"
CA_DAYS=30     # the CA and the server certificate: regenerated when < 2 days are left
HOSTS_MARK="# mcp-testbed"
HOSTS_LINE="127.0.0.1 $REGISTRY_HOST $MOTO_HOST stream-$MOTO_HOST streaming-$MOTO_HOST $HOSTS_MARK"
SYSTEM_CA=/usr/local/share/ca-certificates/mcp-testbed.crt
DOCKER_CA="/etc/docker/certs.d/$REGISTRY_HOST/ca.crt"

say() { printf 'testbed: %-9s %s\n' "$1" "$2" >&2; }
die() { printf 'testbed: ERROR: %s\n' "$*" >&2; exit 1; }

mode="${1:-up}"
case "$mode" in up | --down | --purge) ;; *) die "usage: $0 [--down | --purge]" ;; esac
[[ $# -le 1 ]] || die "usage: $0 [--down | --purge]"
[[ "$REGISTRY_IP" =~ ^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ && "$REGISTRY_PORT" =~ ^[0-9]+$ ]] ||
    die "MCP_TESTBED_REGISTRY_ADDR=$REGISTRY_ADDR: expected a loopback IPv4 address and port, like 127.0.0.1:443"
[[ "$MOTO_PORT" =~ ^[0-9]+$ ]] || die "MCP_TESTBED_MOTO_PORT=$MOTO_PORT: expected a port number"
# Only the instance on the registry's well-known address changes the machine
# (/etc/hosts, the system CA store, dockerd's certs.d): those are one per name.
SYSTEM=0
[[ "$REGISTRY_ADDR" == 127.0.0.1:443 ]] && SYSTEM=1
# The registry's own URL (upload locations): a second instance has no name, only its address.
if ((SYSTEM)); then
    ENDPOINT_URL="http://$MOTO_HOST:$MOTO_PORT"
    REGISTRY_PUBLIC="https://$REGISTRY_HOST"
else
    ENDPOINT_URL="$MOTO_URL"
    REGISTRY_PUBLIC="https://$REGISTRY_ADDR"
fi

if [[ $EUID -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 ||
        die "must run as root (binds :$REGISTRY_PORT, edits /etc/hosts and the CA store), and sudo is missing: run it as root"
    say sudo "re-running as root (binds :$REGISTRY_PORT, edits /etc/hosts and the CA store)"
    exec sudo --preserve-env=MCP_TESTBED_DIR,MCP_TESTBED_MOTO_PORT,MCP_TESTBED_REGISTRY_ADDR,MCP_TESTBED_ROLLOUT_DELAY,MCP_TESTBED_FAILURE_THRESHOLD,MCP_TESTBED_STOP_TIMEOUT,MCP_TESTBED_RETRY_DELAY,MCP_TESTBED_LIVE_TAIL_SECONDS,PYTHON \
        -- bash "$0" "$@"
fi
# Run through sudo by a user: that user's tests read the env file and the CA
# certificate, so the folder may be traversed (never listed or written) by others.
DIR_MODE=0700
[[ -n "${SUDO_UID:-}" && "${SUDO_UID}" != 0 ]] && DIR_MODE=0711

# --- 0. the state folder: ours alone, or refused -------------------------------
# It holds the CA key whose certificate goes into the system store: a folder
# another user could have prepared (a planted key, config or pid file) is never used.
if [[ ! -e "$STATE" && ! -L "$STATE" && "$mode" != --purge ]]; then
    mkdir -p -- "$(dirname -- "$STATE")"
    mkdir -m 0700 -- "$STATE" 2>/dev/null || true # lost a race: checked below like any existing folder
fi
if [[ -e "$STATE" || -L "$STATE" ]]; then
    [[ -L "$STATE" ]] && die "$STATE is a symbolic link: refusing to use it as the state folder; remove it or set MCP_TESTBED_DIR to a new path"
    [[ -d "$STATE" ]] || die "$STATE is not a directory: remove it or set MCP_TESTBED_DIR to a new path"
    owner="$(stat -c %u -- "$STATE")"
    [[ "$owner" == 0 ]] ||
        die "$STATE belongs to $(stat -c %U -- "$STATE") (uid $owner), not root: another user could have prepared it; remove it (rm -rf $STATE) or set MCP_TESTBED_DIR to a new path"
    perms="$(stat -c %a -- "$STATE")"
    (((8#$perms & 8#022) == 0)) ||
        die "$STATE is writable by group or others (mode $perms): another user could have put files in it; remove it (rm -rf $STATE) or set MCP_TESTBED_DIR to a new path"
    chmod "$DIR_MODE" -- "$STATE"
elif [[ "$mode" == --purge ]]; then
    : # nothing of this instance's state left; still undo the system changes below
fi

# --- process helpers: only ever touch pids we recorded ourselves ---------------
start_time() { # pid -> its start time (clock ticks after boot), guards against pid reuse
    sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20
}
record_pid() { # pidfile pid
    echo "$2 $(start_time "$2")" >"$1"
}
recorded_pid() { # pidfile -> prints the recorded pid while that process lives
    local pid started
    [[ -f "$1" ]] && read -r pid started <"$1" || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
    # pid files written before start times were recorded carry only the pid
    [[ -z "$started" || "$(start_time "$pid")" == "$started" ]] || return 1
    echo "$pid"
}
pid_of() { # pidfile pattern -> prints the recorded pid if it is still that process
    local pid
    pid="$(recorded_pid "$1")" || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2" && echo "$pid"
}
still_running() { # pidfile -> true while the recorded process lives (no cmdline check:
    # right after the fork it is still exec-ing setsid -> nohup -> the daemon,
    # and /proc/PID/cmdline can read empty in between)
    recorded_pid "$1" >/dev/null
}
stop_pid() { # pidfile pattern name
    local pid i
    pid="$(pid_of "$1" "$2" || true)"
    if [[ -n "$pid" ]]; then
        kill -TERM "$pid" 2>/dev/null || true
        for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
        say "$3" "stopped (pid $pid)"
    fi
    rm -f "$1"
}
addr_holder() { # ip port -> "pid command" of the listener holding ip:port (itself or a wildcard)
    local line pid
    line="$(ss -Hltnp 2>/dev/null | awk -v a="$1:$2" -v p="$2" \
        '$4 == a || $4 == "0.0.0.0:" p || $4 == "*:" p || $4 == "[::]:" p { print; exit }')"
    [[ -n "$line" ]] || return 1
    pid="$(grep -o 'pid=[0-9]*' <<<"$line" | head -1 | cut -d= -f2)"
    if [[ -n "$pid" ]]; then
        echo "pid $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-200))"
    else
        echo "a process ss cannot name ($line)"
    fi
}
require_free() { # ip port name: never stops anything it did not start, says who holds it
    local holder
    holder="$(addr_holder "$1" "$2")" || return 0
    die "$3: $1:$2 is already taken by $holder, which up.sh did not start (its pid is not in $STATE). Stop that program if you own it (for an earlier testbed left without its pid file: kill that pid), or give this testbed other addresses (MCP_TESTBED_REGISTRY_ADDR, MCP_TESTBED_MOTO_PORT, MCP_TESTBED_DIR); then run up.sh again"
}
remove_task_containers() { # this instance's task containers only (see ecs_sim.INSTANCE_LABEL)
    local ids
    ids="$(docker ps -a --filter label=mcp-testbed=1 --format '{{.ID}} {{.Label "mcp-testbed.instance"}}' 2>/dev/null |
        awk -v me="$STATE" -v dflt="$([[ "$STATE" == "$DEFAULT_STATE" ]] && echo 1)" \
            '$2 == me || ($2 == "" && dflt == "1") { print $1 }')" || true
    [[ -n "$ids" ]] && docker rm -f $ids >/dev/null 2>&1 || true
}
write_hosts() { # new /etc/hosts content on stdin; in place, as /etc/hosts may be a bind mount
    local tmp
    tmp="$(mktemp)"
    cat >"$tmp"
    cat "$tmp" >/etc/hosts
    rm -f "$tmp"
    chmod 0644 /etc/hosts
}
without_our_hosts_lines() { # /etc/hosts minus our line (and the unmarked one earlier versions wrote)
    grep -v -e "[[:space:]]$HOSTS_MARK\$" -x -e "127\.0\.0\.1[[:space:]]\+$REGISTRY_HOST" /etc/hosts || true
}

if [[ "$mode" != up ]]; then
    if [[ -d "$STATE" ]]; then
        exec 9>"$STATE/.up.lock"
        flock 9
        stop_pid "$STATE/moto.pid" "testbed/server.py" moto
        stop_pid "$REG/registry.pid" "docker-registry serve" registry
    fi
    remove_task_containers
    if [[ "$mode" == --down ]]; then
        say down "registry and moto stopped; dockerd left running"
        exit 0
    fi
    if ((SYSTEM)); then
        if grep -q -e "[[:space:]]$HOSTS_MARK\$" -x -e "127\.0\.0\.1[[:space:]]\+$REGISTRY_HOST" /etc/hosts; then
            without_our_hosts_lines | write_hosts
            say hosts "removed the testbed line from /etc/hosts"
        fi
        if [[ -e "$SYSTEM_CA" ]]; then
            rm -f "$SYSTEM_CA"
            update-ca-certificates --fresh >/dev/null 2>&1 || die "update-ca-certificates failed"
            say certs "removed the testbed CA from the system store"
        fi
        if [[ -e "$DOCKER_CA" ]]; then
            rm -f "$DOCKER_CA"
            rmdir "$(dirname "$DOCKER_CA")" 2>/dev/null || true
            say certs "removed $DOCKER_CA"
        fi
    fi
    if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 && ((SYSTEM)); then
        docker image rm "$BASE_IMAGE" >/dev/null 2>&1 && say image "removed $BASE_IMAGE" || true
    fi
    if docker image inspect "$ADAPTER_IMAGE" >/dev/null 2>&1 && ((SYSTEM)); then
        docker image rm "$ADAPTER_IMAGE" >/dev/null 2>&1 && say image "removed $ADAPTER_IMAGE" || true
    fi
    if [[ -d "$STATE" ]]; then
        stop_pid "$STATE/dockerd.pid" dockerd dockerd
        rm -rf -- "$STATE"
        say purge "removed $STATE"
    fi
    say purge "done; packages stay installed (see tests/testbed/README.md to remove them)"
    exit 0
fi

mkdir -p "$CERTS" "$REG"
# Parallel test binaries may all call up.sh at once: serialise them.
# (fd 9 is closed for every daemon we start, or they would hold the lock forever)
exec 9>"$STATE/.up.lock"
flock 9

# --- 1. packages -------------------------------------------------------------
APT_PKGS=(docker.io docker-registry busybox-static apache2-utils openssl ca-certificates curl iproute2)
missing=()
for p in "${APT_PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    say apt "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # 'apt-get update' only when the lists are empty or the install fails on them.
    if ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1 ||
        ! apt-get install -y -q "${missing[@]}" >"$STATE/apt.log" 2>&1; then
        apt-get update -q >>"$STATE/apt.log" 2>&1 || die "apt-get update failed (see $STATE/apt.log)"
        apt-get install -y -q "${missing[@]}" >>"$STATE/apt.log" 2>&1 ||
            die "apt-get install ${missing[*]} failed (see $STATE/apt.log)"
    fi
fi
# Python side: moto[server]==5.2.1 (every requirement of its 'server' extra), docker==7.1.0, boto3.
if ! "$PY" - <<'EOF' 2>/dev/null; then
import importlib.metadata as md, re
assert md.version("moto") == "5.2.1" and md.version("docker") == "7.1.0"
md.version("boto3")
for req in md.requires("moto") or []:
    if 'extra == "server"' in req:
        md.version(re.match(r"[A-Za-z0-9_.\-]+", req).group(0))
EOF
    say pip "installing moto[server]==5.2.1 docker==7.1.0 boto3"
    pip_args=(install -q "moto[server]==5.2.1" "docker==7.1.0" boto3)
    "$PY" -m pip "${pip_args[@]}" >"$STATE/pip.log" 2>&1 ||
        "$PY" -m pip "${pip_args[@]}" --break-system-packages >>"$STATE/pip.log" 2>&1 ||
        die "pip install failed (see $STATE/pip.log)"
fi
bash "$HERE/conformance.sh" # the MCP conformance suite and the Node it needs (npm, pinned)
say packages ok
bash "$HERE/interop.sh" "$STATE/interop" # the MCP SDKs that tests/it/interop.rs serves with (pinned; PyPI and npm only)

# --- 2. dockerd --------------------------------------------------------------
# A dockerd that was killed (a machine's session ended under it) leaves dead
# shims and --rm containers behind; the next start cleans them up first, which
# can take minutes on 2 cores, and its containerd may give up on the first try
# ("timeout waiting for containerd to start", after 15 s) while that containerd
# goes on cleaning up, and a later start attaches to it and succeeds (seen here:
# the third, after ~190 task containers). So: wait up to DOCKERD_WAIT seconds,
# and start ours again (up to 8 times) whenever it exits.
DOCKERD_WAIT="${MCP_TESTBED_DOCKERD_WAIT:-300}"
if ! docker info >/dev/null 2>&1; then
    # A dockerd that is still shutting down holds its pid file: a new one would
    # refuse to start. Wait for it to go (bounded) before starting ours.
    for i in $(seq 60); do pgrep -x dockerd >/dev/null || break; sleep 0.5; done
    started=0
    deadline=$((SECONDS + DOCKERD_WAIT))
    until docker info >/dev/null 2>&1; do
        if ! pgrep -x dockerd >/dev/null; then
            ((started < 8)) || die "dockerd exited $started times without answering (see $STATE/dockerd.log)"
            started=$((started + 1))
            say dockerd "starting, try $started of 8 (log $STATE/dockerd.log)"
            setsid nohup dockerd >>"$STATE/dockerd.log" 2>&1 </dev/null 9>&- &
            record_pid "$STATE/dockerd.pid" $! # so `--purge` stops the dockerd it started, and only that one
        fi
        ((SECONDS < deadline)) || die "dockerd did not answer within $DOCKERD_WAIT s (see $STATE/dockerd.log; MCP_TESTBED_DOCKERD_WAIT sets the wait)"
        sleep 1
    done
fi
say dockerd "ok ($(docker version -f '{{.Server.Version}}' 2>/dev/null))"

# --- 3. base image (no pulls: built from the static busybox) -----------------
if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    rootfs="$(mktemp -d)"
    mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,www,var/www}
    chmod 1777 "$rootfs/tmp"
    cp /bin/busybox "$rootfs/bin/busybox"
    for applet in $(/bin/busybox --list); do
        [[ "$applet" == busybox || -e "$rootfs/bin/$applet" ]] || ln -s busybox "$rootfs/bin/$applet"
    done
    ln -s /bin/busybox "$rootfs/usr/bin/env" # for '#!/usr/bin/env sh' scripts
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$rootfs/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
    tar -C "$rootfs" -c . | docker import \
        --change 'CMD ["/bin/sh"]' \
        --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin' \
        - "$BASE_IMAGE" >/dev/null || die "docker import of $BASE_IMAGE failed"
    rm -rf "$rootfs"
    say image "built $BASE_IMAGE"
else
    say image "ok ($BASE_IMAGE)"
fi
if ! docker image inspect "$ADAPTER_IMAGE" >/dev/null 2>&1; then
    rootfs="$(mktemp -d)"
    printf '%s\n' '#!/bin/sh' \
        'echo "mcp-testbed stand-in for the AWS Lambda Web Adapter: the testbed (lambda_sim.py) plays the adapter" >&2' \
        >"$rootfs/lambda-adapter"
    chmod 0755 "$rootfs/lambda-adapter"
    tar -C "$rootfs" -c . | docker import --change 'CMD ["/lambda-adapter"]' - "$ADAPTER_IMAGE" >/dev/null ||
        die "docker import of $ADAPTER_IMAGE failed"
    rm -rf "$rootfs"
    say image "built $ADAPTER_IMAGE"
fi

# --- 4. TLS: a short-lived CA limited to the testbed's names ------------------
# The CA goes into the system store, so it may only ever vouch for the registry's
# name, localhost and the loopback addresses (name constraints), lives CA_DAYS,
# and is regenerated (with the server certificate) when it nears its end, lacks
# those constraints (earlier versions made a 10-year unconstrained one) or its
# key is not root's alone.
ca_usable() {
    [[ -s "$CERTS/ca.crt" && -s "$CERTS/ca.key" && -s "$CERTS/server.crt" && -s "$CERTS/server.key" ]] &&
        [[ "$(stat -c '%u %a' -- "$CERTS/ca.key")" == "0 600" && "$(stat -c '%u %a' -- "$CERTS/server.key")" == "0 600" ]] &&
        openssl x509 -in "$CERTS/ca.crt" -noout -checkend $((2 * 86400)) >/dev/null 2>&1 &&
        openssl x509 -in "$CERTS/server.crt" -noout -checkend $((2 * 86400)) >/dev/null 2>&1 &&
        openssl x509 -in "$CERTS/ca.crt" -noout -ext nameConstraints 2>/dev/null | grep -qF "DNS:$REGISTRY_HOST" &&
        openssl x509 -in "$CERTS/server.crt" -noout -ext subjectAltName 2>/dev/null | grep -qF "IP Address:$REGISTRY_IP" &&
        openssl verify -CAfile "$CERTS/ca.crt" "$CERTS/server.crt" >/dev/null 2>&1
}
if ! ca_usable; then
    rm -f "$CERTS"/{ca.crt,ca.key,ca.srl,server.crt,server.key,server.csr,server.ext}
    permitted="permitted;DNS:$REGISTRY_HOST,permitted;DNS:localhost,permitted;IP:127.0.0.1/255.255.255.255"
    [[ "$REGISTRY_IP" == 127.0.0.1 ]] || permitted+=",permitted;IP:$REGISTRY_IP/255.255.255.255"
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$CA_DAYS" \
        -keyout "$CERTS/ca.key" -out "$CERTS/ca.crt" -subj "/CN=mcp-testbed CA (this machine only)" \
        -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -addext "nameConstraints=critical,$permitted" >/dev/null 2>&1 || die "openssl: CA generation failed"
    openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$CERTS/server.key" -out "$CERTS/server.csr" \
        -subj "/CN=$REGISTRY_HOST" >/dev/null 2>&1 || die "openssl: CSR failed"
    printf '%s\n' "subjectAltName=DNS:$REGISTRY_HOST,DNS:localhost,IP:127.0.0.1$([[ "$REGISTRY_IP" == 127.0.0.1 ]] || echo ",IP:$REGISTRY_IP")" \
        "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
        "extendedKeyUsage=serverAuth" >"$CERTS/server.ext"
    openssl x509 -req -sha256 -days "$CA_DAYS" -in "$CERTS/server.csr" -CA "$CERTS/ca.crt" -CAkey "$CERTS/ca.key" \
        -CAcreateserial -extfile "$CERTS/server.ext" -out "$CERTS/server.crt" >/dev/null 2>&1 ||
        die "openssl: server certificate failed"
    chmod 0600 "$CERTS/ca.key" "$CERTS/server.key"
    ca_usable || die "openssl: the generated certificates do not verify (see $CERTS)"
    say certs "generated a CA valid $CA_DAYS days for $REGISTRY_HOST, localhost, $REGISTRY_IP in $CERTS"
fi
# Public: the tests of a user who ran up.sh through sudo read it (MCP_TESTBED_CA).
chmod 0755 "$CERTS"
chmod 0644 "$CERTS/ca.crt"
if ((SYSTEM)); then
    # dockerd reads certs.d on every pull: no restart needed.
    mkdir -p "$(dirname "$DOCKER_CA")"
    cmp -s "$CERTS/ca.crt" "$DOCKER_CA" || install -m 0644 "$CERTS/ca.crt" "$DOCKER_CA"
    # System store: curl, OpenSSL and rustls-platform-verifier (reads /etc/ssl/certs) trust it.
    if ! cmp -s "$CERTS/ca.crt" "$SYSTEM_CA"; then
        mkdir -p "$(dirname "$SYSTEM_CA")"
        install -m 0644 "$CERTS/ca.crt" "$SYSTEM_CA"
        # --fresh: drop the links of a CA this file held before
        update-ca-certificates --fresh >/dev/null 2>&1 || die "update-ca-certificates failed"
    fi
    # The registry's name and the SDK's names for moto (Live Tail calls stream-<host>) -> loopback.
    if ! grep -qxF "$HOSTS_LINE" /etc/hosts; then
        { without_our_hosts_lines; echo "$HOSTS_LINE"; } | write_hosts
    fi
    say certs "ok (CA trusted by dockerd and system; $REGISTRY_HOST, $MOTO_HOST, stream-$MOTO_HOST -> 127.0.0.1)"
else
    say certs "ok (CA $CERTS/ca.crt; second instance: no system-wide trust, no /etc/hosts line)"
fi

# --- 5. moto (extended) on 127.0.0.1:$MOTO_PORT -------------------------------
# Restart only when our code or knobs changed (restarting loses moto's state).
moto_fp="$(cat "$HERE"/{server,common,cost,cloudwatch_cbor,fault,ecs_sim,registry_sync,lb,progressive,express,lambda_sim,deny,live_tail,lb_health}.py | sha256sum | cut -c1-16)-${MCP_TESTBED_ROLLOUT_DELAY:-}-${MCP_TESTBED_FAILURE_THRESHOLD:-}-${MCP_TESTBED_LIVE_TAIL_SECONDS:-}-${MCP_TESTBED_MINUTE_SECONDS:-}-${MCP_TESTBED_STAGE_SECONDS:-}-${MCP_TESTBED_EXPRESS_UNSUPPORTED_REGIONS:-}-${MCP_TESTBED_HEALTH_INTERVAL:-}-${MCP_TESTBED_HEALTH_GRACE:-}-${MCP_TESTBED_UNHEALTHY_THRESHOLD:-}-${MCP_TESTBED_LAMBDA_INIT_TIMEOUT:-}-${MCP_TESTBED_LAMBDA_IDLE:-}"
moto_pid="$(pid_of "$STATE/moto.pid" "testbed/server.py" || true)"
if [[ -n "$moto_pid" && "$(cat "$STATE/moto.fp" 2>/dev/null)" == "$moto_fp" ]] &&
    curl -fsS -m 2 "$MOTO_URL/_testbed/health" >/dev/null 2>&1; then
    say moto "ok $MOTO_URL (pid $moto_pid)"
else
    stop_pid "$STATE/moto.pid" "testbed/server.py" moto
    # The simulated services whose tasks these were are gone with moto's state:
    # without this, every restart leaves their containers running for good.
    remove_task_containers
    require_free 127.0.0.1 "$MOTO_PORT" moto
    MCP_TESTBED_DIR="$STATE" MCP_TESTBED_CA="$CERTS/ca.crt" MCP_TESTBED_REGISTRY_URL="https://$REGISTRY_ADDR" \
        DOCKER_HOST="unix:///var/run/docker.sock" \
        setsid nohup "$PY" "$HERE/server.py" --host 127.0.0.1 --port "$MOTO_PORT" >>"$STATE/moto.log" 2>&1 </dev/null 9>&- &
    record_pid "$STATE/moto.pid" $!
    echo "$moto_fp" >"$STATE/moto.fp"
    # Importing moto takes seconds, and much longer on a loaded 2-core machine.
    deadline=$((SECONDS + 120))
    until curl -fsS -m 1 "$MOTO_URL/_testbed/health" >/dev/null 2>&1; do
        still_running "$STATE/moto.pid" || die "moto exited at start: $(tail -3 "$STATE/moto.log")"
        ((SECONDS < deadline)) || die "moto did not become ready within 120 s (see $STATE/moto.log)"
        sleep 0.25
    done
    say moto "started $MOTO_URL (pid $(pid_of "$STATE/moto.pid" "testbed/server.py"))"
fi

# --- 6. registry on $REGISTRY_ADDR (127.0.0.1:443) ---------------------------------------------
# The password is whatever moto's ECR GetAuthorizationToken hands out: ask it.
token_json="$(curl -fsS -m 5 -X POST "$MOTO_URL/" \
    -H 'X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken' \
    -H 'Content-Type: application/x-amz-json-1.1' \
    -H "Authorization: AWS4-HMAC-SHA256 Credential=testing/20240101/$REGION/ecr/aws4_request, SignedHeaders=host, Signature=0" \
    -d '{}')" || die "ECR GetAuthorizationToken failed against moto"
PASSWORD="$("$PY" -c 'import sys,json,base64; d=json.loads(sys.stdin.read()); u,p=base64.b64decode(d["authorizationData"][0]["authorizationToken"]).decode().split(":",1); assert u=="AWS"; print(p)' <<<"$token_json")" ||
    die "cannot decode the ECR authorization token: $token_json"
[[ "$PASSWORD" == "$ACCOUNT-auth-token" ]] ||
    die "moto's ECR password is '$PASSWORD', server.py (common.py) assumes '$ACCOUNT-auth-token'"
if ! htpasswd -vb "$REG/htpasswd" AWS "$PASSWORD" >/dev/null 2>&1; then
    htpasswd -Bbn AWS "$PASSWORD" >"$REG/htpasswd"
fi
mkdir -p "$REG/data"
[[ -s "$REG/http-secret" ]] || openssl rand -hex 16 >"$REG/http-secret"
cat >"$REG/config.yml.new" <<EOF
# generated by tests/testbed/up.sh
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $REG/data
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: $REGISTRY_ADDR
  host: $REGISTRY_PUBLIC
  secret: $(cat "$REG/http-secret")
  tls:
    certificate: $CERTS/server.crt
    key: $CERTS/server.key
auth:
  htpasswd:
    realm: mcp-testbed
    path: $REG/htpasswd
notifications:
  endpoints:
    # Delivery is asynchronous but immediate (in-memory queue, no batching);
    # on failure it retries after 'backoff', so keep that short so a push is
    # visible in moto within ~1 s even if moto was briefly busy.
    - name: moto
      url: $MOTO_URL/_testbed/registry-events
      timeout: 5s
      threshold: 3
      backoff: 200ms
      ignoredmediatypes:
        - application/octet-stream
      ignore:
        actions:
          - pull
EOF
reg_fp="$(cat "$REG/config.yml.new" "$CERTS/server.crt" "$REG/htpasswd" | sha256sum | cut -c1-16)"
reg_pid="$(pid_of "$REG/registry.pid" "docker-registry serve" || true)"
reg_ok() {
    [[ "$(curl -sS -m 2 -o /dev/null -w '%{http_code}' --cacert "$CERTS/ca.crt" \
        --resolve "$REGISTRY_HOST:$REGISTRY_PORT:$REGISTRY_IP" -u "AWS:$PASSWORD" "https://$REGISTRY_HOST:$REGISTRY_PORT/v2/" 2>/dev/null)" == 200 ]]
}
if [[ -n "$reg_pid" && "$(cat "$REG/registry.fp" 2>/dev/null)" == "$reg_fp" ]] && reg_ok; then
    say registry "ok https://$REGISTRY_HOST ($REGISTRY_ADDR, pid $reg_pid)"
else
    stop_pid "$REG/registry.pid" "docker-registry serve" registry
    require_free "$REGISTRY_IP" "$REGISTRY_PORT" registry
    mv "$REG/config.yml.new" "$REG/config.yml"
    setsid nohup docker-registry serve "$REG/config.yml" >>"$STATE/registry.log" 2>&1 </dev/null 9>&- &
    record_pid "$REG/registry.pid" $!
    echo "$reg_fp" >"$REG/registry.fp"
    for i in $(seq 60); do
        reg_ok && break
        still_running "$REG/registry.pid" || die "registry exited at start: $(tail -3 "$STATE/registry.log")"
        sleep 0.25
    done
    reg_ok || die "registry did not answer on https://$REGISTRY_HOST within 15 s (see $STATE/registry.log)"
    say registry "started https://$REGISTRY_HOST ($REGISTRY_ADDR, pid $(pid_of "$REG/registry.pid" "docker-registry serve"))"
fi
rm -f "$REG/config.yml.new"

# --- 7. env file ---------------------------------------------------------------
cat >"$STATE/env.tmp" <<EOF
export AWS_ENDPOINT_URL=$ENDPOINT_URL
export AWS_ACCESS_KEY_ID=testing
export AWS_SECRET_ACCESS_KEY=testing
export AWS_REGION=$REGION
export AWS_DEFAULT_REGION=$REGION
export MCP_TESTBED_ACCOUNT=$ACCOUNT
export MCP_TESTBED_REGISTRY=$REGISTRY_HOST
export MCP_TESTBED_REGISTRY_ADDR=$REGISTRY_ADDR
export MCP_TESTBED_BASE_IMAGE=$BASE_IMAGE
export MCP_TESTBED_LAMBDA_ADAPTER_IMAGE=$ADAPTER_IMAGE
export MCP_TESTBED_CONTROL=$MOTO_URL/_testbed
export MCP_TESTBED_CA=$CERTS/ca.crt
export DOCKER_HOST=unix:///var/run/docker.sock
export MCP_TESTBED_DIR=$STATE
EOF
chmod 0644 "$STATE/env.tmp" # no secret in it; the tests of a sudo user read it
mv "$STATE/env.tmp" "$STATE/env"
say env "$STATE/env"
