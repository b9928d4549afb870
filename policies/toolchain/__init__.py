"""Rules of area toolchain (0xx): Terraform provider versions and Terraform-only limits."""

MODULES: tuple[str, ...] = (
    "aksb001_azurerm_provider_too_old",
    "aksb002_trusted_access_api_retired",
    "aksb003_terraform_vault_tier",
)
