# shellcheck shell=bash
# Start the real SPARQL servers the remote-store tests run against, on loopback only:
#   - Oxigraph server (PyPI `oxigraph`, in the venv's dev extra) with --union-default-graph;
#   - a second, plain Oxigraph server (its own default graph: sparql_current_state = "default");
#   - Virtuoso 7 (Debian `virtuoso-opensource`), installed with apt-get when missing.
# Source it (`. .ci/servers.sh`; LOTAIP_OXIGRAPH names another oxigraph binary than the
# worktree's .venv/bin/oxigraph): it exports, for tests/test_store_contract.py,
#   LOTAIP_TEST_OXIGRAPH_URL   base URL (endpoints /query, /update, /store)
#   LOTAIP_TEST_OXIGRAPH_PLAIN_URL  the same, without --union-default-graph
#   LOTAIP_TEST_VIRTUOSO_URL   base URL (endpoints /sparql, /sparql-auth)
#   LOTAIP_TEST_VIRTUOSO_USER / LOTAIP_TEST_VIRTUOSO_PASSWORD  a user allowed SPARQL updates
# and stops both servers (and deletes their data) when the sourcing shell exits.
# Both run from a private temporary folder; the dba password is random and never printed.

lotaip_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

lotaip_wait_for() {  # URL SECONDS: poll until the URL answers (any HTTP status)
  local url=$1 deadline=$((SECONDS + $2))
  until python3 - "$url" <<'PY' 2>/dev/null
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=2)
except urllib.error.HTTPError:
    pass  # an HTTP error is still an answer
PY
  do
    if ((SECONDS > deadline)); then
      echo "servers.sh: $url did not answer within $2 s" >&2
      return 1
    fi
    sleep 0.5
  done
}

lotaip_install_virtuoso() {
  command -v virtuoso-t >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 || { echo "servers.sh: no apt-get, no Virtuoso" >&2; return 1; }
  # The package asks for a dba password through debconf; preseed a random one so that the
  # system-wide instance (which we never use) does not keep the default dba/dba.
  local pw
  pw=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  printf 'virtuoso-opensource-7 virtuoso-opensource-7/dba-password password %s\n' "$pw" \
    | debconf-set-selections
  printf 'virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password %s\n' "$pw" \
    | debconf-set-selections
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    virtuoso-opensource >/dev/null
  # Our tests use a private instance; the packaged service must not hold ports or data.
  if [ -x /etc/init.d/virtuoso-opensource-7 ]; then
    invoke-rc.d virtuoso-opensource-7 stop >/dev/null 2>&1 || true
    sed -i 's/^RUN=yes/RUN=no/' /etc/default/virtuoso-opensource-7 2>/dev/null || true
  fi
}

lotaip_virtuoso_ini() {  # DIR SQL_PORT HTTP_PORT: a private, loopback-only configuration
  cat <<EOF
[Database]
DatabaseFile = $1/virtuoso.db
ErrorLogFile = $1/virtuoso.log
LockFile = $1/virtuoso.lck
TransactionFile = $1/virtuoso.trx
xa_persistent_file = $1/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = $1/virtuoso-temp.db
TransactionFile = $1/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:$2
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., $1, /usr/share/virtuoso-opensource-7/vad
VADInstallDir = /usr/share/virtuoso-opensource-7/vad/
NumberOfBuffers = 170000
MaxDirtyBuffers = 130000
[HTTPServer]
ServerPort = 127.0.0.1:$3
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8
EnabledGzipContent = 0
[SPARQL]
; Debian's default silently caps results at 10,000 rows.
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 60
MaxSortedTopRows = 1000000
EOF
}

lotaip_start_virtuoso() {
  lotaip_install_virtuoso || return 1
  local dir=$LOTAIP_SERVERS_DIR/virtuoso sql_port http_port dba_pw
  mkdir -p "$dir"
  sql_port=$(lotaip_free_port)
  http_port=$(lotaip_free_port)
  lotaip_virtuoso_ini "$dir" "$sql_port" "$http_port" >"$dir/virtuoso.ini"
  (cd "$dir" && exec virtuoso-t +configfile "$dir/virtuoso.ini" +foreground >"$dir/stdout.log" 2>&1) &
  LOTAIP_VIRTUOSO_PID=$!
  lotaip_wait_for "http://127.0.0.1:$http_port/sparql" 120 || return 1
  dba_pw=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  LOTAIP_TEST_VIRTUOSO_USER=lotaip
  LOTAIP_TEST_VIRTUOSO_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  # A fresh database has dba/dba: change it, then make a user that may run SPARQL updates
  # (over /sparql-auth, digest authentication) and read/write every graph.
  isql-vt "127.0.0.1:$sql_port" dba dba >"$dir/isql.log" 2>&1 <<EOF || return 1
DB.DBA.USER_CREATE('$LOTAIP_TEST_VIRTUOSO_USER', '$LOTAIP_TEST_VIRTUOSO_PASSWORD');
GRANT SPARQL_SELECT TO "$LOTAIP_TEST_VIRTUOSO_USER";
GRANT SPARQL_UPDATE TO "$LOTAIP_TEST_VIRTUOSO_USER";
DB.DBA.RDF_DEFAULT_USER_PERMS_SET('$LOTAIP_TEST_VIRTUOSO_USER', 7);
DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 1);
USER_CHANGE_PASSWORD('dba', 'dba', '$dba_pw');
checkpoint;
EOF
  if grep -q 'Error' "$dir/isql.log"; then cat "$dir/isql.log" >&2; return 1; fi
  export LOTAIP_TEST_VIRTUOSO_URL="http://127.0.0.1:$http_port"
  export LOTAIP_TEST_VIRTUOSO_USER LOTAIP_TEST_VIRTUOSO_PASSWORD
}

lotaip_start_oxigraph() {  # [plain]: without --union-default-graph
  local oxigraph=${LOTAIP_OXIGRAPH:-.venv/bin/oxigraph} port name=oxigraph union=--union-default-graph
  [ -x "$oxigraph" ] || make -s .venv/.installed || return 1
  if [ "${1:-}" = plain ]; then name=oxigraph-plain union=; fi
  port=$(lotaip_free_port)
  # --union-default-graph: queries without GRAPH see every report's named graph, as the
  # embedded store does. The plain server keeps its own default graph, which push fills
  # with the current state (sparql_current_state = "default").
  # No --timeout-s: it holds a thread per request (see ENGINES.md).
  # shellcheck disable=SC2086  # $union is one word or none
  "$oxigraph" serve --location "$LOTAIP_SERVERS_DIR/$name" --bind "127.0.0.1:$port" \
    $union >"$LOTAIP_SERVERS_DIR/$name.log" 2>&1 &
  if [ "$name" = oxigraph ]; then LOTAIP_OXIGRAPH_PID=$!; else LOTAIP_OXIGRAPH_PLAIN_PID=$!; fi
  lotaip_wait_for "http://127.0.0.1:$port/query" 60 || return 1
  if [ "$name" = oxigraph ]; then
    export LOTAIP_TEST_OXIGRAPH_URL="http://127.0.0.1:$port"
  else
    export LOTAIP_TEST_OXIGRAPH_PLAIN_URL="http://127.0.0.1:$port"
  fi
}

lotaip_stop_servers() {
  local pid
  for pid in ${LOTAIP_OXIGRAPH_PID:-} ${LOTAIP_OXIGRAPH_PLAIN_PID:-} ${LOTAIP_VIRTUOSO_PID:-}; do
    # `wait` returns the signal's status: never let that stop the clean-up under `set -e`.
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  [ -n "${LOTAIP_SERVERS_DIR:-}" ] && rm -rf "$LOTAIP_SERVERS_DIR"
  return 0
}

LOTAIP_SERVERS_DIR=$(mktemp -d -t lotaip-servers.XXXXXX)
trap lotaip_stop_servers EXIT
# A server that fails to start is reported, not fatal: its contract tests then skip, saying
# that the server is not reachable.
lotaip_start_oxigraph || echo "servers.sh: Oxigraph server not started" >&2
lotaip_start_oxigraph plain || echo "servers.sh: plain Oxigraph server not started" >&2
if ! lotaip_start_virtuoso; then
  echo "servers.sh: Virtuoso not started; its log ends:" >&2
  tail -n 20 "$LOTAIP_SERVERS_DIR/virtuoso/virtuoso.log" >&2 2>/dev/null || true
fi
