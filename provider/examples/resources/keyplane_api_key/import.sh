# Import an existing, active key by its ID. Import retrieves the key's secret, which the control
# plane records in the key's audit trail as an api_key.secret_revealed event.
tofu import keyplane_api_key.reporting key_01jf3z7w4v9q2m8k5t6r1y0x3c
