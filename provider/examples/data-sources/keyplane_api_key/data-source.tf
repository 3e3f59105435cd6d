data "keyplane_api_key" "reporting" {
  id = "key_01jf3z7w4v9q2m8k5t6r1y0x3c"
}

output "reporting_permissions" {
  value = data.keyplane_api_key.reporting.permissions
}
