#!/usr/bin/env bash
# Bring up the mcp integration testbed (idempotent; fast when already up).
#
#   tests/testbed/up.sh          install what is missing, start what is down
#   tests/testbed/up.sh --down   stop registry + moto, remove task containers (dockerd stays)
#
# Parts: dockerd, base image mcp-testbed/busybox:latest, TLS certs + trust,
# Distribution registry on 127.0.0.1:443 posing as the ECR registry
# 123456789012.dkr.ecr.us-east-1.amazonaws.com, and the extended moto server on
# 127.0.0.1:5055 (server.py).  Writes $MCP_TESTBED_DIR/env for tests to source.
# Only loopback is ever used; nothing is pulled from the internet.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export MCP_TESTBED_DIR="${MCP_TESTBED_DIR:-/tmp/mcp-testbed}"
STATE="$MCP_TESTBED_DIR"
ACCOUNT=123456789012
REGION=us-east-1
REGISTRY_HOST="$ACCOUNT.dkr.ecr.$REGION.amazonaws.com"
MOTO_PORT="${MCP_TESTBED_MOTO_PORT:-5055}"
MOTO_URL="http://127.0.0.1:$MOTO_PORT"
BASE_IMAGE="mcp-testbed/busybox:latest"
PY="${PYTHON:-python3}"
CERTS="$STATE/certs"
REG="$STATE/registry"

say() { printf 'testbed: %-9s %s\n' "$1" "$2" >&2; }
die() { printf 'testbed: ERROR: %s\n' "$*" >&2; exit 1; }

mkdir -p "$STATE" "$CERTS" "$REG"
# Parallel test binaries may all call up.sh at once: serialise them.
# (fd 9 is closed for every daemon we start, or they would hold the lock forever)
exec 9>"$STATE/.up.lock"
flock 9

# --- process helpers (only ever touch pids we recorded ourselves) -----------
pid_of() { # pidfile pattern -> prints pid if alive and its cmdline matches
    local pid
    pid="$(cat "$1" 2>/dev/null || true)"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null &&
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2" && echo "$pid"
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
port_owner() { # port -> "pid cmdline" of the listener on 127.0.0.1:port, if any
    local pid
    pid="$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)"
    [[ -n "$pid" ]] && echo "$pid $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
}
free_port() { # port pattern name: a stale testbed process (pidfile lost) is ours to stop
    local owner pid
    owner="$(port_owner "$1" || true)"
    [[ -z "$owner" ]] && return 0
    pid="${owner%% *}"
    if grep -q -- "$2" <<<"$owner"; then
        kill -TERM "$pid" 2>/dev/null || true
        for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        say "$3" "stopped stale instance (pid $pid)"
    else
        die "port $1 is used by another program: $owner"
    fi
}
remove_task_containers() {
    local ids
    ids="$(docker ps -aq --filter label=mcp-testbed=1 2>/dev/null || true)"
    [[ -n "$ids" ]] && docker rm -f $ids >/dev/null 2>&1 || true
}

if [[ "${1:-}" == "--down" ]]; then
    stop_pid "$STATE/moto.pid" "testbed/server.py" moto
    stop_pid "$REG/registry.pid" "docker-registry serve" registry
    remove_task_containers
    say down "registry and moto stopped; dockerd left running"
    exit 0
fi
[[ $# -eq 0 ]] || die "usage: $0 [--down]"
[[ $EUID -eq 0 ]] || die "must run as root (binds :443, edits /etc/hosts and the CA store)"

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
say packages ok

# --- 2. dockerd --------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
    # A dockerd that is still shutting down holds its pid file: a new one would
    # refuse to start. Wait for it to go (bounded) before starting ours.
    for i in $(seq 60); do pgrep -x dockerd >/dev/null || break; sleep 0.5; done
    if ! pgrep -x dockerd >/dev/null; then
        say dockerd "starting (log $STATE/dockerd.log)"
        setsid nohup dockerd >>"$STATE/dockerd.log" 2>&1 </dev/null 9>&- &
    fi
    for i in $(seq 120); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
    docker info >/dev/null 2>&1 || die "dockerd did not answer within 60 s (see $STATE/dockerd.log)"
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

# --- 4. TLS: CA + server cert, trusted by the engine and the system ---------
if [[ ! -s "$CERTS/ca.crt" || ! -s "$CERTS/server.crt" || ! -s "$CERTS/server.key" ]]; then
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
        -keyout "$CERTS/ca.key" -out "$CERTS/ca.crt" -subj "/CN=mcp-testbed CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" >/dev/null 2>&1 || die "openssl: CA generation failed"
    openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$CERTS/server.key" -out "$CERTS/server.csr" \
        -subj "/CN=$REGISTRY_HOST" >/dev/null 2>&1 || die "openssl: CSR failed"
    printf '%s\n' "subjectAltName=DNS:$REGISTRY_HOST,DNS:localhost,IP:127.0.0.1" \
        "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
        "extendedKeyUsage=serverAuth" >"$CERTS/server.ext"
    openssl x509 -req -sha256 -days 825 -in "$CERTS/server.csr" -CA "$CERTS/ca.crt" -CAkey "$CERTS/ca.key" \
        -CAcreateserial -extfile "$CERTS/server.ext" -out "$CERTS/server.crt" >/dev/null 2>&1 ||
        die "openssl: server certificate failed"
    say certs "generated in $CERTS"
fi
# dockerd reads certs.d on every pull: no restart needed.
mkdir -p "/etc/docker/certs.d/$REGISTRY_HOST"
cmp -s "$CERTS/ca.crt" "/etc/docker/certs.d/$REGISTRY_HOST/ca.crt" ||
    cp "$CERTS/ca.crt" "/etc/docker/certs.d/$REGISTRY_HOST/ca.crt"
# System store: curl, OpenSSL and rustls-platform-verifier (reads /etc/ssl/certs) trust it.
if ! cmp -s "$CERTS/ca.crt" /usr/local/share/ca-certificates/mcp-testbed.crt; then
    mkdir -p /usr/local/share/ca-certificates
    cp "$CERTS/ca.crt" /usr/local/share/ca-certificates/mcp-testbed.crt
    update-ca-certificates >/dev/null 2>&1 || die "update-ca-certificates failed"
fi
grep -qE "^127\.0\.0\.1[[:space:]].*[[:space:]]$REGISTRY_HOST([[:space:]]|\$)|^127\.0\.0\.1[[:space:]]+$REGISTRY_HOST([[:space:]]|\$)" /etc/hosts ||
    echo "127.0.0.1 $REGISTRY_HOST" >>/etc/hosts
say certs "ok (CA trusted by dockerd and system; $REGISTRY_HOST -> 127.0.0.1)"

# --- 5. moto (extended) on 127.0.0.1:$MOTO_PORT -------------------------------
# Restart only when our code or knobs changed (restarting loses moto's state).
moto_fp="$(cat "$HERE"/{server,common,ecs_sim,registry_sync,lb,progressive,express,deny}.py | sha256sum | cut -c1-16)-${MCP_TESTBED_ROLLOUT_DELAY:-}-${MCP_TESTBED_FAILURE_THRESHOLD:-}-${MCP_TESTBED_MINUTE_SECONDS:-}-${MCP_TESTBED_STAGE_SECONDS:-}-${MCP_TESTBED_EXPRESS_UNSUPPORTED_REGIONS:-}-${MCP_TESTBED_HEALTH_INTERVAL:-}-${MCP_TESTBED_HEALTH_GRACE:-}-${MCP_TESTBED_UNHEALTHY_THRESHOLD:-}"
moto_pid="$(pid_of "$STATE/moto.pid" "testbed/server.py" || true)"
if [[ -n "$moto_pid" && "$(cat "$STATE/moto.fp" 2>/dev/null)" == "$moto_fp" ]] &&
    curl -fsS -m 2 "$MOTO_URL/_testbed/health" >/dev/null 2>&1; then
    say moto "ok $MOTO_URL (pid $moto_pid)"
else
    stop_pid "$STATE/moto.pid" "testbed/server.py" moto
    free_port "$MOTO_PORT" "testbed/server.py" moto
    MCP_TESTBED_DIR="$STATE" DOCKER_HOST="unix:///var/run/docker.sock" \
        setsid nohup "$PY" "$HERE/server.py" --port "$MOTO_PORT" >>"$STATE/moto.log" 2>&1 </dev/null 9>&- &
    echo $! >"$STATE/moto.pid"
    echo "$moto_fp" >"$STATE/moto.fp"
    for i in $(seq 120); do
        curl -fsS -m 1 "$MOTO_URL/_testbed/health" >/dev/null 2>&1 && break
        kill -0 "$(cat "$STATE/moto.pid")" 2>/dev/null || die "moto exited at start: $(tail -3 "$STATE/moto.log")"
        sleep 0.25
    done
    curl -fsS -m 2 "$MOTO_URL/_testbed/health" >/dev/null 2>&1 ||
        die "moto did not become ready within 30 s (see $STATE/moto.log)"
    say moto "started $MOTO_URL (pid $(cat "$STATE/moto.pid"))"
fi

# --- 6. registry on 127.0.0.1:443 ---------------------------------------------
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
  addr: 127.0.0.1:443
  host: https://$REGISTRY_HOST
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
        --resolve "$REGISTRY_HOST:443:127.0.0.1" -u "AWS:$PASSWORD" "https://$REGISTRY_HOST/v2/" 2>/dev/null)" == 200 ]]
}
if [[ -n "$reg_pid" && "$(cat "$REG/registry.fp" 2>/dev/null)" == "$reg_fp" ]] && reg_ok; then
    say registry "ok https://$REGISTRY_HOST (127.0.0.1:443, pid $reg_pid)"
else
    stop_pid "$REG/registry.pid" "docker-registry serve" registry
    free_port 443 "docker-registry serve" registry
    mv "$REG/config.yml.new" "$REG/config.yml"
    setsid nohup docker-registry serve "$REG/config.yml" >>"$STATE/registry.log" 2>&1 </dev/null 9>&- &
    echo $! >"$REG/registry.pid"
    echo "$reg_fp" >"$REG/registry.fp"
    for i in $(seq 60); do
        reg_ok && break
        kill -0 "$(cat "$REG/registry.pid")" 2>/dev/null || die "registry exited at start: $(tail -3 "$STATE/registry.log")"
        sleep 0.25
    done
    reg_ok || die "registry did not answer on https://$REGISTRY_HOST within 15 s (see $STATE/registry.log)"
    say registry "started https://$REGISTRY_HOST (127.0.0.1:443, pid $(cat "$REG/registry.pid"))"
fi
rm -f "$REG/config.yml.new"

# --- 7. env file ---------------------------------------------------------------
cat >"$STATE/env.tmp" <<EOF
export AWS_ENDPOINT_URL=$MOTO_URL
export AWS_ACCESS_KEY_ID=testing
export AWS_SECRET_ACCESS_KEY=testing
export AWS_REGION=$REGION
export AWS_DEFAULT_REGION=$REGION
export MCP_TESTBED_ACCOUNT=$ACCOUNT
export MCP_TESTBED_REGISTRY=$REGISTRY_HOST
export MCP_TESTBED_BASE_IMAGE=$BASE_IMAGE
export MCP_TESTBED_CONTROL=$MOTO_URL/_testbed
export MCP_TESTBED_CA=$CERTS/ca.crt
export DOCKER_HOST=unix:///var/run/docker.sock
export MCP_TESTBED_DIR=$STATE
EOF
mv "$STATE/env.tmp" "$STATE/env"
say env "$STATE/env"
