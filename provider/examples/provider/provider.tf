terraform {
  required_providers {
    keyplane = {
      source = "keyplane/keyplane"
    }
  }
}

# Settings may also come from KEYPLANE_ENDPOINT, KEYPLANE_ORGANIZATION_ID and KEYPLANE_API_KEY,
# which keeps the secret out of the configuration.
provider "keyplane" {
  endpoint        = "http://127.0.0.1:4000"
  organization_id = var.keyplane_organization_id
  api_key         = var.keyplane_api_key
}

variable "keyplane_organization_id" {
  type = string
}

variable "keyplane_api_key" {
  type      = string
  sensitive = true
}
