#!/usr/bin/env bash
# Installs terraform-provider-keyplane for local use into a filesystem mirror, by default the
# implied local mirror ~/.terraform.d/plugins that both OpenTofu and Terraform read. After this,
# `tofu init` / `terraform init` find `keyplane/keyplane` there like any registry provider, next to
# other providers and modules, with a lock-file entry.
#
#   scripts/install-provider.sh [MIRROR_DIR]
#
# What is installed is a two-line launcher that execs Node on this checkout's dist/ build, so a
# rebuild (`npm run build`) takes effect without reinstalling and without `init -upgrade`.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mirror="${1:-$HOME/.terraform.d/plugins}"
version="$(node -p "require('$repo/package.json').version")"
platform="$(node -p "({linux:'linux',darwin:'darwin',win32:'windows'}[process.platform]||process.platform)+'_'+({x64:'amd64',arm64:'arm64',ia32:'386'}[process.arch]||process.arch)")"
node_bin="$(command -v node)"

if [ ! -f "$repo/dist/provider/src/main.js" ]; then
  (cd "$repo" && npm run --silent build)
fi

for host in registry.opentofu.org registry.terraform.io; do
  dir="$mirror/$host/keyplane/keyplane/$version/$platform"
  mkdir -p "$dir"
  launcher="$dir/terraform-provider-keyplane_v$version"
  # exec keeps one process: if the CLI kills the provider, no orphaned child holds its pipes.
  printf '#!/bin/sh\nexec "%s" "%s/dist/provider/src/main.js" "$@"\n' "$node_bin" "$repo" > "$launcher"
  chmod 0755 "$launcher"
done
echo "installed keyplane/keyplane $version ($platform) into $mirror"
