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
# terraform-provider-null v3.3.1: its go.mod lacks the /v3 suffix, so the tag is not a valid module
# version; the commit resolves to a pseudo-version instead.
NULL_COMMIT="cd8ea3464380be767591b25b7cc09d8a02997073"
NULL_VERSION="3.3.1"

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
  if [ -x "$out" ]; then log "null provider $NULL_VERSION cached"; return; fi
  log "building terraform-provider-null $NULL_VERSION"
  mkdir -p "$dir"
  GOBIN="$cache/gobin" go install -trimpath -ldflags "-s -w" \
    "github.com/terraform-providers/terraform-provider-null@$NULL_COMMIT" >&2
  mv "$cache/gobin/terraform-provider-null" "$out"
  # The same package under the Terraform registry host, so `terraform` finds it in the mirror too.
  local tfdir="$cache/plugins/registry.terraform.io/hashicorp/null/$NULL_VERSION/linux_amd64"
  mkdir -p "$tfdir"; ln -sf "$out" "$tfdir/terraform-provider-null_v$NULL_VERSION"
}

build_tofu
build_null
ln -sf "tofu-$TOFU_VERSION" "$bin/tofu"
"$bin/tofu" version >&2
echo "$bin"
