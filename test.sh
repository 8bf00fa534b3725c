#!/usr/bin/env bash
# Runs the whole test suite exactly as CI does, on a machine that has only the .NET SDK:
# installs Redis and RabbitMQ when they are missing, starts private instances of both on
# ephemeral ports (or reuses REACTOR_TEST_REDIS / REACTOR_TEST_RABBITMQ when they answer),
# builds once, runs every test project, and ends with one line "N passed, N failed, N skipped".
# Exit 0 only when the build succeeded, at least one test ran, none failed and none was skipped.
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
readonly ROOT
# rabbitmq-server and friends live in /usr/sbin, which is not on every user's PATH.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

readonly TEST_PROJECTS=(tests/Reactor.Tests.Unit tests/Reactor.Tests.Integration)
readonly RABBITMQ_START_TIMEOUT=120

PASSED=0 FAILED=0 SKIPPED=0
WORK="" RESULTS="" POLICY_RC_D=""
REDIS_PID="" RMQ_PID="" RMQ_BIN="" RMQ_NODE="" RMQ_DIR="" RMQ_PORT="" RMQ_T0=""
RMQ_ENV=()

now_us() { echo "${EPOCHREALTIME//[.,]/}"; }
T0=$(now_us)
readonly T0
# Seconds since $1 (a now_us value), with one decimal.
since() { local d=$((($(now_us) - $1) / 100000)); echo "$((d / 10)).$((d % 10))s"; }
log() { printf '[test.sh %7s] %s\n' "$(since "$T0")" "$*"; }
die() { log "ERROR: $*" >&2; exit 1; }

# bash's command -v falls back to a non-executable file of that name; only an executable counts.
have() {
    local path
    path=$(command -v "$1") && [[ -x $path ]]
}

# --- processes -------------------------------------------------------------------------------

# True while process $1 exists and is not a zombie waiting to be reaped.
proc_alive() {
    local line fields
    read -r line 2>/dev/null <"/proc/$1/stat" || return 1
    read -r -a fields <<<"${line##*) }"
    [[ ${fields[0]} != Z ]]
}

# True while any live process remains in process group $1.
group_alive() {
    local stat line fields
    for stat in /proc/[0-9]*/stat; do
        read -r line 2>/dev/null <"$stat" || continue
        read -r -a fields <<<"${line##*) }"
        [[ ${fields[2]} == "$1" && ${fields[0]} != Z ]] && return 0
    done
    return 1
}

# Stops the process group led by $1 (a child started with setsid): TERM, then KILL after $2 s.
# The leader stays an unreaped zombie until the final wait, so its pid, and with it the group
# id, cannot be recycled meanwhile: the signals can only reach what this script started.
stop_group() {
    local pid=$1 grace=$2 i
    kill -TERM -- "-$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 5; i++)); do
        group_alive "$pid" || break
        sleep 0.2
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

stop_services() {
    if [[ -n $RMQ_PID ]]; then
        log "rabbitmq: stopping node $RMQ_NODE"
        if proc_alive "$RMQ_PID"; then
            timeout 60 env "${RMQ_ENV[@]}" "$RMQ_BIN/rabbitmqctl" -n "$RMQ_NODE" -q stop "$RMQ_DIR/rabbitmq.pid" \
                >/dev/null 2>&1 || true
        fi
        stop_group "$RMQ_PID" 15
        RMQ_PID=""
    fi
    if [[ -n $REDIS_PID ]]; then
        log "redis: stopping pid $REDIS_PID"
        stop_group "$REDIS_PID" 10
        REDIS_PID=""
    fi
}

on_exit() {
    local rc=$?
    set +e
    trap - EXIT INT TERM
    remove_policy_rc_d
    stop_services
    [[ -n $WORK ]] && rm -rf -- "$WORK"
    log "exit $rc after $(since "$T0")"
    # The summary is the last line on every path, so CI can always read the counts.
    echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- probes (plain bash: they run before python3 may be installed) ---------------------------

# Runs probe function $1 with args under a hard deadline: a /dev/tcp connect to a host that
# drops SYNs would otherwise block for minutes.
probe() {
    local fn=$1
    shift
    timeout 5 bash -c "$(declare -f "$fn"); $fn \"\$@\"" _ "$@" 2>/dev/null
}

redis_answers() {
    exec 3<>"/dev/tcp/$1/$2" || return 1
    printf 'PING\r\n' >&3
    local reply
    IFS= read -r -t 4 reply <&3 || return 1
    [[ $reply == +PONG* ]]
}

# Sends the AMQP 0-9-1 protocol header; a broker answers with a method frame (type 1).
amqp_answers() {
    exec 3<>"/dev/tcp/$1/$2" || return 1
    printf 'AMQP\000\000\011\001' >&3
    local first
    IFS= read -r -N 1 -t 4 first <&3 || return 1
    [[ $first == $'\001' ]]
}

# host:port -> "host port"
split_hostport() { echo "${1%:*} ${1##*:}"; }

# amqp://user:pass@host:port/vhost -> "host port"
amqp_hostport() {
    local rest=${1#*://}
    rest=${rest##*@}
    rest=${rest%%/*}
    if [[ $rest == *:* ]]; then echo "${rest%:*} ${rest##*:}"; else echo "$rest 5672"; fi
}

# Prints $1 distinct free TCP ports on 127.0.0.1. All are bound at once so they differ; the
# kernel picks from the ephemeral range, so concurrent runs do not pick the same ones.
free_ports() {
    python3 - "$1" <<'PY'
import socket, sys
held = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    held.append(s)
print(" ".join(str(s.getsockname()[1]) for s in held))
PY
}

# --- installation ----------------------------------------------------------------------------

# Sets the caller's "missing" array. redis-server is needed even with an external Redis:
# fault tests start their own instances of it.
missing_packages() {
    missing=()
    have redis-server && have redis-cli || missing+=(redis-server)
    if (($1)) && ! find_rabbitmq_bin >/dev/null; then missing+=(rabbitmq-server); fi
    have python3 || missing+=(python3)
    # The example workflow worker (examples/WorkflowWorker) is a Node.js program the tests run.
    have node || missing+=(nodejs)
    have npm || missing+=(npm)
    # Cron time zones (EnqueueOptions.TimeZone) resolve IANA ids from the system's zone database.
    [[ -e /usr/share/zoneinfo/Europe/Paris ]] || missing+=(tzdata)
}

remove_policy_rc_d() {
    if [[ -n $POLICY_RC_D ]]; then
        rm -f -- "$POLICY_RC_D"
        POLICY_RC_D=""
    fi
}

find_rabbitmq_bin() {
    # Debian's /usr/sbin/rabbitmq-* wrapper su's to the rabbitmq user, whose HOME and cookie
    # are shared with the system node; the scripts behind it honour our private environment.
    if [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]]; then
        echo /usr/lib/rabbitmq/bin
    elif have rabbitmq-server; then
        dirname -- "$(readlink -f -- "$(command -v rabbitmq-server)")"
    else
        return 1
    fi
}

install_packages() {
    (($# > 0)) || return 0
    if ((EUID != 0)); then
        die "missing: $*. Install them (sudo apt-get install -y $*) or run ./test.sh as root."
    fi
    have apt-get || die "missing: $* and apt-get is not available; install them by hand."
    local t
    t=$(now_us)
    log "installing with apt-get: $*"
    export DEBIAN_FRONTEND=noninteractive
    # Keep the postinst scripts from starting the system services: the tests never use them,
    # they would hold memory on a small CI machine, and a start that fails inside a container
    # fails the whole install. Where an existing policy lets them start, they sit on the default
    # ports, which ours never use. Only a policy this script wrote is removed.
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        POLICY_RC_D=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\n# Written by Reactor test.sh for the length of one apt-get install.\nexit 101\n' \
            >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
    fi
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@" >/dev/null
    remove_policy_rc_d
    log "installed $* in $(since "$t")"
}

# --- redis -----------------------------------------------------------------------------------

start_redis() {
    local attempt port t dir
    t=$(now_us)
    for attempt in 1 2 3; do
        port=$(free_ports 1)
        dir="$WORK/redis-$attempt"
        mkdir -p "$dir"
        # Another process can take the port between free_ports and bind: then redis exits and
        # the next attempt picks a new one.
        (cd "$dir" && exec setsid redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
            --dir "$dir" --logfile "$dir/redis.log" --daemonize no) </dev/null >/dev/null 2>&1 &
        REDIS_PID=$!
        local i
        for ((i = 0; i < 150; i++)); do
            if [[ $(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null) == PONG ]]; then
                export REACTOR_TEST_REDIS="127.0.0.1:$port"
                log "redis: started 127.0.0.1:$port (pid $REDIS_PID) in $(since "$t")"
                return 0
            fi
            proc_alive "$REDIS_PID" || break
            sleep 0.2
        done
        log "redis: attempt $attempt on port $port failed; log tail:"
        tail -n 20 "$dir/redis.log" 2>/dev/null || true
        stop_group "$REDIS_PID" 5
        REDIS_PID=""
    done
    die "redis-server did not start"
}

# --- rabbitmq --------------------------------------------------------------------------------

launch_rabbitmq() {
    local ports node_port dist_port
    ports=$(free_ports 2)
    read -r node_port dist_port <<<"$ports"
    RMQ_NODE="reactor-test-$$-$1@localhost"
    RMQ_DIR="$WORK/rabbitmq-$1"
    RMQ_PORT=$node_port
    mkdir -p "$RMQ_DIR/home" "$RMQ_DIR/mnesia" "$RMQ_DIR/log" "$RMQ_DIR/conf.d"
    # A private HOME gives the node and our CLI calls their own cookie: nothing shared with the
    # system node or another run, and root's own ~/.erlang.cookie is left untouched.
    (umask 077 && od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$RMQ_DIR/home/.erlang.cookie")
    chmod 400 "$RMQ_DIR/home/.erlang.cookie"
    echo '[].' >"$RMQ_DIR/enabled_plugins"
    : >"$RMQ_DIR/rabbitmq.conf"
    RMQ_ENV=(
        HOME="$RMQ_DIR/home"
        RABBITMQ_NODENAME="$RMQ_NODE"
        RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
        RABBITMQ_NODE_PORT="$node_port"
        # Set explicitly: the default NODE_PORT+20000 overflows for ephemeral ports.
        RABBITMQ_DIST_PORT="$dist_port"
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
        # The CLI tools otherwise all share dist ports 35672-35682 across every run on the host.
        RABBITMQ_CTL_DIST_PORT_MIN=0
        RABBITMQ_CTL_DIST_PORT_MAX=0
        RABBITMQ_MNESIA_BASE="$RMQ_DIR/mnesia"
        RABBITMQ_LOG_BASE="$RMQ_DIR/log"
        RABBITMQ_PID_FILE="$RMQ_DIR/rabbitmq.pid"
        RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DIR/enabled_plugins"
        # Keep /etc/rabbitmq (written for the system node) out of the picture.
        RABBITMQ_CONFIG_FILE="$RMQ_DIR/rabbitmq.conf"
        RABBITMQ_CONFIG_FILES="$RMQ_DIR/conf.d"
        RABBITMQ_ADVANCED_CONFIG_FILE="$RMQ_DIR/advanced.config"
        RABBITMQ_CONF_ENV_FILE="$RMQ_DIR/rabbitmq-env.conf"
        ERL_CRASH_DUMP="$RMQ_DIR/erl_crash.dump"
    )
    (cd "$RMQ_DIR" && exec env "${RMQ_ENV[@]}" setsid "$RMQ_BIN/rabbitmq-server") \
        </dev/null >"$RMQ_DIR/stdout.log" 2>&1 &
    RMQ_PID=$!
    RMQ_T0=$(now_us)
    log "rabbitmq: launching node $RMQ_NODE on 127.0.0.1:$node_port (dist $dist_port, pid $RMQ_PID)"
}

# 0 = ready, 1 = the node died, 2 = timed out.
await_rabbitmq() {
    local deadline=$((SECONDS + RABBITMQ_START_TIMEOUT))
    while ((SECONDS < deadline)); do
        proc_alive "$RMQ_PID" || return 1
        # The cheap AMQP probe gates the slower CLI check, which proves the listener is our node.
        if probe amqp_answers 127.0.0.1 "$RMQ_PORT" &&
            timeout 30 env "${RMQ_ENV[@]}" "$RMQ_BIN/rabbitmq-diagnostics" -n "$RMQ_NODE" -q \
                check_port_listener "$RMQ_PORT" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.5
    done
    return 2
}

rabbitmq_log_tail() {
    log "rabbitmq: log tail ($RMQ_DIR):"
    tail -n 40 "$RMQ_DIR/stdout.log" "$RMQ_DIR"/log/*.log 2>/dev/null || true
}

# --- tests -----------------------------------------------------------------------------------

# Prints "passed failed skipped" for one trx file.
count_trx() {
    python3 - "$1" <<'PY'
import sys
import xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for result in ET.parse(sys.argv[1]).getroot().findall("t:Results/t:UnitTestResult", ns):
    outcome = result.get("outcome", "")
    if outcome in ("Passed", "PassedButRunAborted"):
        passed += 1
    elif outcome in ("NotExecuted", "Inconclusive"):
        skipped += 1
    else:
        # Failed, Error, Timeout, Aborted and anything unknown: never let it pass silently.
        failed += 1
print(passed, failed, skipped)
PY
}

run_tests() {
    local project name rc t trx counts p f s
    for project in "${TEST_PROJECTS[@]}"; do
        name=$(basename "$project")
        trx="$RESULTS/$name.trx"
        t=$(now_us)
        log "test: $name"
        # REACTOR_TEST_FILTER (a dotnet test --filter expression) narrows a developer's run; CI sets none.
        if dotnet test "$project" --no-build -c Release \
            --logger "trx;LogFileName=$name.trx" --results-directory "$RESULTS" \
            --blame-hang-timeout 10m ${REACTOR_TEST_FILTER:+--filter "$REACTOR_TEST_FILTER"}; then
            rc=0
        else
            rc=$?
        fi
        p=0 f=0 s=0
        if [[ -f $trx ]]; then
            counts=$(count_trx "$trx")
            read -r p f s <<<"$counts"
        fi
        if ((rc != 0 && f == 0)); then
            # A crash, hang kill or abort can leave no failed result behind; count the run itself.
            log "test: $name: dotnet test exited $rc without a failed test result; counting 1 failure"
            f=1
        fi
        PASSED=$((PASSED + p)) FAILED=$((FAILED + f)) SKIPPED=$((SKIPPED + s))
        log "test: $name: $p passed, $f failed, $s skipped in $(since "$t")"
    done
}

# --- main ------------------------------------------------------------------------------------

main() {
    cd "$ROOT"
    have dotnet || die "dotnet not found: install the .NET 10 SDK"

    local own_redis=1 own_rabbitmq=1 host port
    if [[ -n ${REACTOR_TEST_REDIS:-} ]]; then
        read -r host port <<<"$(split_hostport "$REACTOR_TEST_REDIS")"
        if probe redis_answers "$host" "$port"; then
            own_redis=0
            log "redis: reusing REACTOR_TEST_REDIS=$REACTOR_TEST_REDIS"
        else
            log "redis: REACTOR_TEST_REDIS=$REACTOR_TEST_REDIS does not answer; starting our own"
        fi
    fi
    if [[ -n ${REACTOR_TEST_RABBITMQ:-} ]]; then
        read -r host port <<<"$(amqp_hostport "$REACTOR_TEST_RABBITMQ")"
        if probe amqp_answers "$host" "$port"; then
            own_rabbitmq=0
            log "rabbitmq: reusing REACTOR_TEST_RABBITMQ=$REACTOR_TEST_RABBITMQ"
        else
            log "rabbitmq: REACTOR_TEST_RABBITMQ=$REACTOR_TEST_RABBITMQ does not answer; starting our own"
        fi
    fi

    local missing=()
    missing_packages "$own_rabbitmq"
    install_packages "${missing[@]}"
    missing_packages "$own_rabbitmq"
    ((${#missing[@]} == 0)) || die "still missing after apt-get install: ${missing[*]}"
    export REACTOR_TEST_REDIS_SERVER
    REACTOR_TEST_REDIS_SERVER=$(command -v redis-server)

    WORK=$(mktemp -d "${TMPDIR:-/tmp}/reactor-test.XXXXXX")
    RESULTS="${REACTOR_TEST_RESULTS:-$ROOT/TestResults/$(date +%Y%m%d-%H%M%S)-$$}"
    mkdir -p "$RESULTS"

    if ((own_rabbitmq)); then
        RMQ_BIN=$(find_rabbitmq_bin)
        launch_rabbitmq 1
    fi
    if ((own_redis)); then start_redis; fi

    # The build overlaps with the RabbitMQ boot, which takes several seconds.
    local t build_ok=0
    t=$(now_us)
    log "build: dotnet build Reactor.sln -c Release"
    if dotnet build Reactor.sln -c Release; then
        build_ok=1
        log "build: succeeded in $(since "$t")"
    else
        log "build: FAILED after $(since "$t"); no tests run"
        return 1
    fi

    if ((own_rabbitmq)); then
        t=$(now_us)
        local status=0
        await_rabbitmq || status=$?
        if ((status == 1)); then
            # An early death is most often a port taken between picking and binding: retry once.
            rabbitmq_log_tail
            log "rabbitmq: node died during start; retrying on new ports"
            stop_group "$RMQ_PID" 5
            launch_rabbitmq 2
            status=0
            await_rabbitmq || status=$?
        fi
        if ((status != 0)); then
            rabbitmq_log_tail
            die "rabbitmq: node $RMQ_NODE not ready after $(since "$t") (limit ${RABBITMQ_START_TIMEOUT}s)"
        fi
        export REACTOR_TEST_RABBITMQ="amqp://guest:guest@127.0.0.1:$RMQ_PORT/"
        # Lets a test restart the broker for real (rabbitmqctl stop_app / start_app on our node).
        {
            printf '#!/usr/bin/env bash\nexec env'
            printf ' %q' "${RMQ_ENV[@]}" "$RMQ_BIN/rabbitmqctl" -n "$RMQ_NODE"
            printf ' "$@"\n'
        } >"$RMQ_DIR/rabbitmqctl.sh"
        chmod +x "$RMQ_DIR/rabbitmqctl.sh"
        export REACTOR_TEST_RABBITMQ_CTL="$RMQ_DIR/rabbitmqctl.sh"
        log "rabbitmq: ready at 127.0.0.1:$RMQ_PORT (waited $(since "$t") after the build, $(since "$RMQ_T0") since launch)"
    fi

    log "services: REACTOR_TEST_REDIS=$REACTOR_TEST_REDIS REACTOR_TEST_RABBITMQ=$REACTOR_TEST_RABBITMQ"
    run_tests
    log "results: $RESULTS"

    local ok=1
    ((build_ok)) || ok=0
    ((FAILED == 0)) || { ok=0; log "FAILED: $FAILED test(s) failed"; }
    ((SKIPPED == 0)) || { ok=0; log "FAILED: $SKIPPED test(s) skipped; CI runs every test"; }
    ((PASSED + FAILED > 0)) || { ok=0; log "FAILED: no test ran"; }
    ((ok))
}

main "$@"
