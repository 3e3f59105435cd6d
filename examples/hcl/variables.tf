variable "payout_account_ids" {
  description = "Internal accounts the payouts service may move money on."
  type        = set(string)
  default     = ["acc_operating", "acc_payroll"]
}

variable "ci_allowed_ips" {
  description = "Addresses of the CI runners; the CI key is refused from anywhere else."
  type        = set(string)
  # Documentation ranges (RFC 5737, RFC 3849): replace them with your runners' egress addresses.
  default = ["203.0.113.0/24", "198.51.100.7", "2001:db8:1234::/48"]
}
