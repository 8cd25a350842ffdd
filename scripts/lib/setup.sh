# Shared set-up of scripts/test, scripts/test-live, scripts/install-deps and scripts/bench/*:
# Debian packages, the Python venvs, and the release build. Source it; it defines functions
# and `lmg_venvs` only, and changes nothing until a function is called.

# Where the venvs live (LOONFLOW_MCP_VENV_DIR overrides; the tests read the same variable).
lmg_venvs="${LOONFLOW_MCP_VENV_DIR:-$HOME/.cache/loonflow-mcp-gateway/venvs}"

# lmg_apt_install PACKAGE...: installs the Debian packages that are not installed yet.
lmg_apt_install() {
  local missing=() p sudo_cmd=""
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  echo "installing: ${missing[*]}" >&2
  [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# lmg_venv NAME PROBE REQUIREMENT...: makes the venv $lmg_venvs/NAME with REQUIREMENTs,
# unless `python -c PROBE` already succeeds in it.
lmg_venv() {
  local name=$1 probe=$2
  shift 2
  local venv="$lmg_venvs/$name"
  "$venv/bin/python" -c "$probe" 2>/dev/null && return 0
  echo "creating $venv ($*)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "$@"
}

# lmg_mcp_venvs: the two official Python MCP SDKs the interop tests and live suites use.
lmg_mcp_venvs() {
  lmg_venv mcp1 "import mcp" "mcp==1.27.0"
  lmg_venv mcp2 "import mcp" "mcp==2.3.0"
}

# lmg_release_gateway [PATH]: prints the release executable's path: PATH when given, else
# builds it (in BENCH_SCRATCH_PATH when set), with the build's output on standard error.
lmg_release_gateway() {
  if [[ -n "${1:-}" ]]; then
    echo "$1"
    return
  fi
  local scratch=()
  [[ -n "${BENCH_SCRATCH_PATH:-}" ]] && scratch=(--scratch-path "$BENCH_SCRATCH_PATH")
  swift build -c release "${scratch[@]}" --product loonflow-mcp-gateway >&2
  echo "$(swift build -c release "${scratch[@]}" --show-bin-path)/loonflow-mcp-gateway"
}
