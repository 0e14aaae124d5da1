"""Commission to the store nearest the delivery address (SPEC 2.5), one module per responsibility.

- `periods`: statement months (first day of the month), in the portal's time zone.
- `amounts`: the money maths, pure: the amount rounded once, the assisted split, what a return takes back.
- `policies`: the policy in force on a date, and saving one.
- `beneficiary`: which store an order credits.
- `ledger`: the services that write the ledger: crediting, reversals, the sweep. Exactly once.
- `statements`: a store's month and its states (the transition table), and where a late entry lands.
- `selectors`: the reads that pages, the API and the CSV export share.
- `explanations`: the audit record kept with each entry and the sentence a manager reads.

Callers import from the module that holds what they need; this package re-exports nothing.
"""
