# Use a key's secret in an ephemeral context — here the configuration of a second provider
# instance that acts as that key — without the secret ever being written to state or a plan file.
variable "automation_key_id" {
  type = string
}

ephemeral "keyplane_api_key_secret" "automation" {
  id = var.automation_key_id
}

provider "keyplane" {
  alias   = "automation"
  api_key = ephemeral.keyplane_api_key_secret.automation.secret
}

# Reads the catalog as the automation key: proves the secret works, stores nothing secret.
data "keyplane_permissions" "as_automation" {
  provider = keyplane.automation
}
