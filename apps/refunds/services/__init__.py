"""Every write of refunds, invoice returns, support tickets, voiding and withdrawals, one module per concern:

- `refunds`: request, approve, reject, and approved refunds posted by the billing system;
- `returns`: the invoice's way back to the vendor, and putting back an accepted, never-mailed request;
- `tickets`: support tickets, their conversation and attachments;
- `voiding`: staff void a returned invoice from a ticket;
- `withdrawals`: refunded balance taken out of the platform.

Import from the module (`from apps.refunds.services.refunds import refund_approve`).
"""
