"""Admin for commission policies, the ledger and statements."""
