"""Links into the admin that staff may paste or edit by hand: a NUL in a list filter is a 400 page, not a 500."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changelist", "query"),
    [
        ("admin:invoices_invoicerequest_changelist", "status__exact=%00"),
        ("admin:invoices_invoicerequest_changelist", "invoice_type__exact=pending%00"),
        ("admin:accounts_user_changelist", "role__exact=%00"),
        ("admin:titles_invoicetitle_changelist", "kind__exact=%00"),
        ("admin:core_auditlog_changelist", "action=%00"),
        ("admin:invoices_invoiceevent_changelist", "%00=1"),
    ],
)
def test_a_nul_in_an_admin_list_filter_answers_the_branded_400_page(staff_client, changelist, query):
    # when staff open a change list whose filter value carries a NUL (PostgreSQL refuses it in a query)
    response = staff_client.get(f"{reverse(changelist)}?{query}")
    # then the product's 400 page answers, not a crash
    assert response.status_code == 400
    assert "400.html" in [template.name for template in response.templates]


@pytest.mark.django_db
def test_the_same_filter_without_a_nul_still_works(staff_client):
    response = staff_client.get(reverse("admin:invoices_invoicerequest_changelist") + "?status__exact=pending")
    assert response.status_code == 200
