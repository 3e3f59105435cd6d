#!/usr/bin/env bash
# Builds the real OpenTofu CLI and terraform-provider-null from the Go module proxy and caches
# them, so acceptance tests run against the same binaries users run. Idempotent: a cached build
# of the pinned version is reused. Prints the bin directory on the last line of stdout.
#
#   KEYPLANE_TOOLS_DIR  cache directory (default: $XDG_CACHE_HOME/keyplane-tools or ~/.cache/keyplane-tools)
set -euo pipefail

TOFU_VERSION="${TOFU_VERSION:-1.11.14}"
# OpenTofu's go.mod replaces hashicorp/hcl with its fork; `go install` refuses modules with replace
# directives, so we build through a wrapper module that carries the same replace.
HCL_REPLACE="github.com/opentofu/hcl/v2@v2.20.2-0.20251021132045-587d123c2828"
# hashicorp/null: the Go module proxy serves no buildable release of terraform-provider-null (v2+
# tags lack the /vN module suffix and commit pseudo-versions are refused), so tests use the
# stand-in in scripts/null-provider (same null_resource schema, built with terraform-plugin-framework).
NULL_VERSION="3.3.1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

cache="${KEYPLANE_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/keyplane-tools}"
bin="$cache/bin"
mkdir -p "$bin"

log() { echo "build-tools: $*" >&2; }

build_tofu() {
  local out="$bin/tofu-$TOFU_VERSION"
  if [ -x "$out" ] && "$out" version >/dev/null 2>&1; then log "tofu $TOFU_VERSION cached"; return; fi
  log "building OpenTofu $TOFU_VERSION from the Go module proxy (several minutes on 2 cores)"
  local work; work=$(mktemp -d)
  (
    cd "$work"
    go mod init tofubuild >/dev/null 2>&1
    go mod edit -replace "github.com/hashicorp/hcl/v2=$HCL_REPLACE"
    go get "github.com/opentofu/opentofu/cmd/tofu@v$TOFU_VERSION" >&2
    go build -trimpath -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
      -o "$out.tmp" github.com/opentofu/opentofu/cmd/tofu
  )
  rm -rf "$work"
  mv "$out.tmp" "$out"
}

build_null() {
  local dir="$cache/plugins/registry.opentofu.org/hashicorp/null/$NULL_VERSION/linux_amd64"
  local out="$dir/terraform-provider-null_v$NULL_VERSION"
  local stamp; stamp=$(cat "$here/null-provider/main.go" "$here/null-provider/go.sum" | sha256sum | cut -c1-16)
  if [ -x "$out" ] && [ "$(cat "$dir/.source" 2>/dev/null)" = "$stamp" ]; then log "null provider cached"; return; fi
  log "building the null provider stand-in (scripts/null-provider)"
  mkdir -p "$dir"
  (cd "$here/null-provider" && go build -trimpath -ldflags "-s -w" -o "$out.tmp" .)
  mv "$out.tmp" "$out"
  echo "$stamp" > "$dir/.source"
}

link_null() {
  local out="$cache/plugins/registry.opentofu.org/hashicorp/null/$NULL_VERSION/linux_amd64/terraform-provider-null_v$NULL_VERSION"
  # Also as 3.2.4, the exact version @cdktf/provider-null 11 pins in required_providers, and under
  # the Terraform registry host so `terraform` finds it in the mirror too.
  local host v d
  for host in registry.opentofu.org registry.terraform.io; do
    for v in 3.2.4 "$NULL_VERSION"; do
      d="$cache/plugins/$host/hashicorp/null/$v/linux_amd64"
      mkdir -p "$d"
      [ "$d/terraform-provider-null_v$v" -ef "$out" ] || ln -sf "$out" "$d/terraform-provider-null_v$v"
    done
  done
}

build_tofu
build_null
link_null
ln -sf "tofu-$TOFU_VERSION" "$bin/tofu"
"$bin/tofu" version >&2
echo "$bin"
