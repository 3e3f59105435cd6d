terraform {
  required_version = ">= 1.6"

  required_providers {
    keyplane = {
      source = "keyplane/keyplane"
    }
  }
}

# No settings here: the provider reads KEYPLANE_ENDPOINT, KEYPLANE_ORGANIZATION_ID and
# KEYPLANE_API_KEY from the environment, so no secret is ever written into the configuration.
provider "keyplane" {}
