output "reporting_key_id" {
  value = keyplane_api_key.reporting.id
}

output "payouts_key_id" {
  value = keyplane_api_key.payouts.id
}

output "ci_key_id" {
  value = keyplane_api_key.ci.id
}

output "ci_allowed_ips" {
  description = "The CI key's allowlist, canonical, as the control plane enforces it."
  value       = data.keyplane_api_key.ci.allowed_ips
}

output "account_scoped_resources" {
  value = sort(local.account_scoped)
}

# Secrets are sensitive: plan, apply and `tofu output` show <sensitive>;
# `tofu output -raw <name>` prints one on purpose.
output "reporting_secret" {
  value     = keyplane_api_key.reporting.secret
  sensitive = true
}

output "payouts_secret" {
  value     = keyplane_api_key.payouts.secret
  sensitive = true
}

output "ci_secret" {
  value     = keyplane_api_key.ci.secret
  sensitive = true
}
