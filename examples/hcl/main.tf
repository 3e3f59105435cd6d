# The permission catalog, as the control plane publishes it (GET /v1/permissions).
data "keyplane_permissions" "catalog" {}

locals {
  # Resources that an account restriction (internal_account_ids) applies to.
  account_scoped = toset([for r in data.keyplane_permissions.catalog.resources : r.resource if r.account_scoped])

  payouts_permissions = ["payment_orders:write", "internal_accounts:read", "transactions:read"]
}

# 1. Read-only on everything, for a reporting job. `*:read` includes `api_keys:read`.
resource "keyplane_api_key" "reporting" {
  name        = "reporting"
  permissions = ["*:read"]
}

# 2. Restricted to two internal accounts: it may create payment orders and read accounts and
#    transactions, but only on these accounts. Changing the permissions or the accounts replaces
#    the key; create_before_destroy creates the new one first, and the grace period keeps the old
#    secret working for an hour after that, so the service can reload without errors.
resource "keyplane_api_key" "payouts" {
  name                 = "payouts-service"
  permissions          = local.payouts_permissions
  internal_account_ids = var.payout_account_ids
  archive_grace_period = "1h"

  lifecycle {
    create_before_destroy = true

    # An account restriction only means something for account-scoped resources: catch a
    # permission that it would not cover before anything is created.
    precondition {
      condition     = alltrue([for p in local.payouts_permissions : contains(local.account_scoped, split(":", p)[0])])
      error_message = "Every payouts permission must be on an account-scoped resource (${join(", ", sort(local.account_scoped))})."
    }
  }
}

# 3. For CI: manages webhooks and reads ledgers, usable only from the CI runners' addresses.
#    The allowlist changes in place (no new secret).
resource "keyplane_api_key" "ci" {
  name        = "ci-deploy"
  permissions = ["webhooks:write", "ledgers:read"]
  allowed_ips = var.ci_allowed_ips
}

# The CI key as the control plane stores it: the allowlist in canonical form
# (198.51.100.7 → 198.51.100.7/32). The resource keeps your spelling; both mean the same.
data "keyplane_api_key" "ci" {
  id = keyplane_api_key.ci.id
}
