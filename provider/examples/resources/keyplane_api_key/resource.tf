# A read-only key for a reporting job, usable only from the office network.
resource "keyplane_api_key" "reporting" {
  name        = "reporting"
  permissions = ["*:read"]
  allowed_ips = ["203.0.113.0/24", "2001:db8::/32"]
}

# A key that may create payment orders on two accounts only. Changing permissions or the
# accounts replaces the key; create_before_destroy creates the new one first, and the grace
# period keeps the old secret valid for a day so nothing breaks while consumers reload.
resource "keyplane_api_key" "payouts" {
  name                 = "payouts-service"
  permissions          = ["payment_orders:write", "internal_accounts:read"]
  internal_account_ids = ["acct_operating", "acct_payroll"]
  archive_grace_period = "24h"

  lifecycle {
    create_before_destroy = true
  }
}

output "payouts_secret" {
  value     = keyplane_api_key.payouts.secret
  sensitive = true
}
