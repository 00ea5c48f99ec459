"""The REST API of refunds, invoice returns, support tickets, voiding and withdrawals (mounted in
invoicing_console/api_urls.py). Serializers parse types only; every rule is in apps.refunds.services."""
