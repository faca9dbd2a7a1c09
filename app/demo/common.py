"""What every part of the demo shares: the demo accounts and their password."""

from __future__ import annotations

SECRETARIAT_EMAIL = "secretariat@demo.pactum.example"
REPRESENTATIVE_EMAIL = "rep@northwind.example"
DEMO_PASSWORD = "pactum-demo-2026"  # noqa: S105  (published in the README on purpose)

# The demo secretariat's second factor (secretariat accounts must have one). Published in
# the README on purpose: add it to an authenticator app, or `make demo-code` prints the code.
DEMO_TOTP_SECRET = "PACTUMDEMOSECRETPACTUMDEMO234567"  # noqa: S105

DEMO_LOGINS = [
    ("secretariat", SECRETARIAT_EMAIL, DEMO_PASSWORD),
    ("representative", REPRESENTATIVE_EMAIL, DEMO_PASSWORD),
]
