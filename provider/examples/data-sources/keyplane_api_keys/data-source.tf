# Every key, archived ones included, for an inventory report.
data "keyplane_api_keys" "all" {
  include_archived = true
}

output "archived_key_ids" {
  value = [for k in data.keyplane_api_keys.all.keys : k.id if k.status == "archived"]
}
