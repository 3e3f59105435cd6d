data "keyplane_permissions" "catalog" {}

# The resources that internal_account_ids restricts.
output "account_scoped_resources" {
  value = [for r in data.keyplane_permissions.catalog.resources : r.resource if r.account_scoped]
}
