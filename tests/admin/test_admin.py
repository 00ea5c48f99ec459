"""The Django admin for marketplace staff: every model is there, and no write bypasses the services."""

import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise

from apps.accounts.models import User, Vendor
from apps.billing.models import ConsumptionRecord, VendorBalance
from apps.core.models import AuditLog
from apps.invoices.mailing import MailingInfo, invoice_request_mail
from apps.invoices.models import InvoiceEvent, InvoiceRequest
from apps.invoices.services import invoice_request_accept, invoice_request_cancel
from tests.factories import CustomerAccountFactory, VendorFactory, consume
from tests.helpers import accept


def our_models():
    """Every model of the project's own apps (apps.*), including apps added later."""
    return [model for model in apps.get_models() if model.__module__.startswith("apps.")]


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def balance_of(customer, vendor) -> VendorBalance:
    return VendorBalance.objects.get(customer_account=customer.customer_account, vendor=vendor)


def test_every_model_of_our_apps_is_in_the_admin():
    # Given the project's own models
    models = our_models()

    # Then each one has an admin page for staff
    assert models
    assert [model._meta.label for model in models if not admin.site.is_registered(model)] == []


@pytest.mark.django_db
def test_staff_can_open_every_changelist_and_page(staff_client, consumed, vendor, vendor_user, submit):
    # Given a customer with a request the vendor accepted and mailed (so every list has a row)
    request = submit(consumed, vendor, "120.00")
    invoice_request_accept(actor=vendor_user, vendor=vendor, invoice_request_id=request.pk)
    mailing = MailingInfo(
        invoice_numbers=["04412345"],
        invoice_date=timezone.localdate(),
        courier="sf",
        tracking_number="SF1234567890",
        shipping_payer="vendor",
    )
    invoice_request_mail(actor=vendor_user, vendor=vendor, invoice_request_id=request.pk, mailing=mailing)

    # When staff open every changelist, searching the request lists, and the request's page
    for model in our_models():
        response = staff_client.get(changelist_url(model))
        assert response.status_code == 200, model._meta.label
    search = staff_client.get(changelist_url(InvoiceRequest), {"q": request.title_snapshot["name"]})
    detail = staff_client.get(change_url(request))

    # Then the request is found by its title, and its page shows the snapshots, the mailing and the timeline
    assert request.number in search.content.decode()
    page = detail.content.decode()
    assert detail.status_code == 200
    assert request.title_snapshot["taxpayer_id"] in page
    assert request.address_snapshot["street"] in page
    assert "SF1234567890" in page and "04412345" in page
    assert "Timeline" in page


@pytest.mark.django_db
def test_a_customer_cannot_open_the_admin(client, consumed):
    # Given a customer user (not staff)
    client.force_login(consumed)

    # When they open the admin
    response = client.get(reverse("admin:index"))

    # Then they are sent to a login page instead
    assert response.status_code == 302


@pytest.mark.django_db
def test_status_cannot_be_changed_through_the_change_form(staff_client, consumed, vendor, submit):
    # Given a pending request
    request = submit(consumed, vendor, "100.00")

    # When staff post a changed status (and amount) to its admin page
    response = staff_client.post(change_url(request), {"status": "voided", "amount": "1.00"})

    # Then nothing changed: the page is view-only, the status and money stay, no event was written
    assert response.status_code == 403
    stored = InvoiceRequest.objects.get(pk=request.pk)
    assert stored.status == InvoiceRequest.Status.PENDING
    assert stored.amount == Decimal("100.00")
    assert balance_of(consumed, vendor).invoiced == Decimal("100.00")
    assert InvoiceEvent.objects.filter(request=request).count() == 1


@pytest.mark.django_db
def test_requests_and_events_cannot_be_added_or_deleted(staff_client, consumed, vendor, submit):
    # Given a request with its first event
    request = submit(consumed, vendor, "100.00")
    event = request.events.get()

    # When staff try the add and delete pages
    responses = [
        staff_client.get(reverse("admin:invoices_invoicerequest_add")),
        staff_client.post(reverse("admin:invoices_invoicerequest_delete", args=[request.pk]), {"post": "yes"}),
        staff_client.get(reverse("admin:invoices_invoiceevent_add")),
        staff_client.post(reverse("admin:invoices_invoiceevent_delete", args=[event.pk]), {"post": "yes"}),
    ]

    # Then every one is refused and both rows remain
    assert [response.status_code for response in responses] == [403, 403, 403, 403]
    assert InvoiceRequest.objects.filter(pk=request.pk).exists()
    assert InvoiceEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_cancel_action_asks_first_then_cancels_through_the_service(staff_client, staff_user, consumed, vendor, submit):
    # Given a pending request of ¥300.00 out of ¥1000.00 consumed
    request = submit(consumed, vendor, "300.00")
    assert balance_of(consumed, vendor).invoiced == Decimal("300.00")
    url = changelist_url(InvoiceRequest)

    # When staff choose the action, they first see a confirmation page and nothing changes yet
    confirmation = staff_client.post(url, {"action": "cancel_selected", "_selected_action": [request.pk], "index": 0})
    assert confirmation.status_code == 200
    assert "1 pending request will be cancelled" in confirmation.content.decode()
    assert InvoiceRequest.objects.get(pk=request.pk).status == InvoiceRequest.Status.PENDING

    # When they confirm with a reason
    response = staff_client.post(
        url,
        {"action": "cancel_selected", "_selected_action": [request.pk], "confirm": "yes", "reason": "Duplicate"},
    )

    # Then the request is cancelled, the amount is invoiceable again and the timeline says who and why
    assert response.status_code == 302
    assert InvoiceRequest.objects.get(pk=request.pk).status == InvoiceRequest.Status.CANCELLED
    assert balance_of(consumed, vendor).invoiced == Decimal("0.00")
    event = InvoiceEvent.objects.filter(request=request).order_by("id").last()
    assert (event.from_status, event.to_status, event.actor, event.reason) == (
        "pending",
        "cancelled",
        staff_user,
        "Duplicate",
    )
    assert "Cancelled 1 request; its amount can be invoiced again." in texts(response)


@pytest.mark.django_db
def test_cancel_action_refuses_requests_that_are_not_pending(staff_client, consumed, vendor, vendor_user, submit):
    # Given one pending request, one already cancelled and one the vendor is processing
    pending = submit(consumed, vendor, "100.00")
    cancelled = submit(consumed, vendor, "200.00")
    invoice_request_cancel(actor=consumed, customer_account=consumed.customer_account, invoice_request_id=cancelled.pk)
    processing = submit(consumed, vendor, "50.00")
    invoice_request_accept(actor=vendor_user, vendor=vendor, invoice_request_id=processing.pk)
    events_before = InvoiceEvent.objects.count()

    # When staff cancel all three
    response = staff_client.post(
        changelist_url(InvoiceRequest),
        {
            "action": "cancel_selected",
            "_selected_action": [pending.pk, cancelled.pk, processing.pk],
            "confirm": "yes",
        },
    )

    # Then only the pending one is cancelled; each refusal is reported with the reason and the vendor's contact
    statuses = dict(InvoiceRequest.objects.values_list("pk", "status"))
    assert statuses == {pending.pk: "cancelled", cancelled.pk: "cancelled", processing.pk: "processing"}
    assert InvoiceEvent.objects.count() == events_before + 1
    assert balance_of(consumed, vendor).invoiced == Decimal("50.00")
    messages = texts(response)
    assert any(str(cancelled) in text and "Only a pending request can be cancelled" in text for text in messages)
    assert any(str(processing) in text and vendor.contact_phone in text for text in messages)
    assert "Cancelled 1 request; its amount can be invoiced again." in messages


@pytest.mark.django_db
def test_adding_consumption_in_the_admin_updates_the_balance(staff_client, customer, vendor):
    # Given a customer without consumption with this vendor
    data = {
        "customer_account": customer.customer_account.pk,
        "vendor": vendor.pk,
        "amount": "88.80",
        "consumed_at_0": "2025-03-01",
        "consumed_at_1": "10:00:00",
        "external_id": "admin-1",
        "description": "manual correction",
    }

    # When staff add a record in the admin
    response = staff_client.post(reverse("admin:billing_consumptionrecord_add"), data)

    # Then it is recorded through the service: the record exists and the balance grew by the amount
    assert response.status_code == 302
    record = ConsumptionRecord.objects.get(external_id="admin-1")
    assert record.amount == Decimal("88.80")
    assert balance_of(customer, vendor).consumed == Decimal("88.80")

    # And the same external ID again is refused next to the field, counting nothing twice
    again = staff_client.post(reverse("admin:billing_consumptionrecord_add"), data)
    assert again.status_code == 200
    assert "external_id" in again.context["adminform"].form.errors
    assert balance_of(customer, vendor).consumed == Decimal("88.80")


@pytest.mark.django_db
def test_consumption_records_and_balances_cannot_be_edited(staff_client, consumed, vendor):
    # Given the ¥1000.00 consumption record and its balance
    record = ConsumptionRecord.objects.get(customer_account=consumed.customer_account, vendor=vendor)
    balance = balance_of(consumed, vendor)

    # When staff post changes to their pages, or try to delete them
    responses = [
        staff_client.post(change_url(record), {"amount": "5000.00"}),
        staff_client.post(change_url(balance), {"consumed": "5000.00", "invoiced": "0.00"}),
        staff_client.post(reverse("admin:billing_consumptionrecord_delete", args=[record.pk]), {"post": "yes"}),
        staff_client.get(reverse("admin:billing_vendorbalance_add")),
    ]

    # Then every write is refused; the pages can still be viewed
    assert [response.status_code for response in responses] == [403, 403, 403, 403]
    assert ConsumptionRecord.objects.get(pk=record.pk).amount == Decimal("1000.00")
    assert balance_of(consumed, vendor).consumed == Decimal("1000.00")
    assert staff_client.get(change_url(record)).status_code == 200
    assert staff_client.get(change_url(balance)).status_code == 200


@pytest.mark.django_db
def test_user_admin_keeps_role_and_link_consistent(staff_client):
    # Given a vendor and a customer account
    vendor = VendorFactory()
    account = CustomerAccountFactory()
    url = reverse("admin:accounts_user_add")
    base = {"usable_password": "true", "password1": "A-long-pass-2025", "password2": "A-long-pass-2025"}

    # When staff add a vendor user without a vendor
    refused = staff_client.post(url, {**base, "username": "v-nolink", "role": "vendor", "customer_account": account.pk})

    # Then the form says what is wrong and no user is created
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors
    assert errors["vendor"] == ["A vendor user needs a vendor."]
    assert errors["customer_account"] == ["A vendor user cannot belong to a customer account."]
    assert not User.objects.filter(username="v-nolink").exists()

    # When they add a vendor user linked to the vendor
    created = staff_client.post(url, {**base, "username": "v-ok", "role": "vendor", "vendor": vendor.pk})

    # Then the user exists with that role, can log in, and belongs to that vendor
    assert created.status_code == 302
    user = User.objects.get(username="v-ok")
    assert (user.role, user.vendor, user.customer_account) == ("vendor", vendor, None)
    assert user.check_password("A-long-pass-2025")


@pytest.mark.django_db
def test_staff_can_edit_a_vendors_contact_and_invoice_types(staff_client):
    # Given a vendor issuing both invoice types
    vendor = VendorFactory()

    # When staff change its phone and keep only general invoices
    response = staff_client.post(
        change_url(vendor),
        {
            "name": vendor.name,
            "contact_phone": "400-999-0000",
            "contact_email": vendor.contact_email,
            "service_hours": vendor.service_hours,
            "supported_invoice_types": ["general"],
            "users-TOTAL_FORMS": "0",
            "users-INITIAL_FORMS": "0",
        },
    )

    # Then customers will see the new contact and only the general invoice type
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    vendor.refresh_from_db()
    assert vendor.contact_phone == "400-999-0000"
    assert vendor.supported_invoice_types == ["general"]


@pytest.mark.django_db
def test_audit_log_is_view_only(staff_client, customer):
    # Given the audit row written when the customer's title was created through the service
    from apps.core.models import AuditLog
    from apps.titles.services import title_create

    title_create(
        customer_account=customer.customer_account,
        actor=customer,
        data={"kind": "individual", "name": "张三"},
    )
    entry = AuditLog.objects.latest("id")

    # When staff try to change or delete it
    change = staff_client.post(change_url(entry), {"action": "changed"})
    delete = staff_client.post(reverse("admin:core_auditlog_delete", args=[entry.pk]), {"post": "yes"})

    # Then both are refused and the entry is unchanged
    assert (change.status_code, delete.status_code) == (403, 403)
    assert AuditLog.objects.get(pk=entry.pk).action == entry.action


def vendor_form(**overrides) -> dict:
    return {
        "name": "新服务商有限公司",
        "contact_phone": "400-100-2000",
        "contact_email": "billing@new.example.com",
        "service_hours": "工作日 09:00–18:00",
        "supported_invoice_types": ["general"],
        "users-TOTAL_FORMS": "0",
        "users-INITIAL_FORMS": "0",
        "users-MIN_NUM_FORMS": "0",
        "users-MAX_NUM_FORMS": "1000",
        **overrides,
    }


@pytest.mark.django_db
def test_staff_add_and_edit_vendors_through_the_vendor_services(staff_client):
    # when staff add a vendor, then change its name and contact phone
    response = staff_client.post(reverse("admin:accounts_vendor_add"), vendor_form())
    assert response.status_code == 302
    vendor = Vendor.objects.get(name="新服务商有限公司")
    response = staff_client.post(
        change_url(vendor), vendor_form(name="新服务商（上海）有限公司", contact_phone="021-6000 1234")
    )
    assert response.status_code == 302

    # then the row changed and every write left its audit row, as in the back-office
    vendor = Vendor.objects.get(pk=vendor.pk)
    assert (vendor.name, vendor.contact_phone) == ("新服务商（上海）有限公司", "021-6000 1234")
    actions = list(
        AuditLog.objects.filter(object_type="accounts.vendor", object_id=str(vendor.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["vendor_created", "vendor_renamed", "vendor_profile_updated"]


@pytest.mark.django_db
def test_a_vendor_profile_the_services_refuse_is_shown_next_to_the_field_and_not_saved(staff_client, vendor):
    response = staff_client.post(change_url(vendor), vendor_form(name=vendor.name, contact_phone="call us"))
    assert response.status_code == 200
    assert "Enter a phone number customers can call" in response.content.decode()
    assert Vendor.objects.get(pk=vendor.pk).contact_phone == vendor.contact_phone


# --- what staff read -------------------------------------------------------------------------------------------


def test_every_field_and_choice_of_our_models_has_a_translatable_label():
    # Given the project's own models
    untranslated = []
    for model in our_models():
        meta = model._meta
        for label in (meta.verbose_name, meta.verbose_name_plural):
            if not isinstance(label, Promise):
                untranslated.append(f"{meta.label} (model name)")
        for field in meta.get_fields():
            if field.auto_created and not field.concrete or field.primary_key:
                continue  # reverse relations have no label; the id column reads "ID" in every language
            if not isinstance(field.verbose_name, Promise):
                untranslated.append(f"{meta.label}.{field.name}")
            untranslated += [
                f"{meta.label}.{field.name} = {value}"
                for value, label in (field.choices or [])
                if not isinstance(label, Promise)
            ]

    # Then every label goes through the catalogs: no column header stays English (or `created_at`) in Chinese
    assert untranslated == []


@pytest.mark.django_db
def test_the_admin_carries_the_product_name_and_view_site_opens_the_staff_console(staff_client):
    # When staff open the admin
    page = staff_client.get(reverse("admin:index")).content.decode()

    # Then it is the product's admin, and "View site" leads to the staff console
    assert "<title>Marketplace administration | Invoicing Console</title>" in page
    assert f'href="{reverse("staffconsole:overdue")}"' in page
    assert staff_client.get(reverse("staffconsole:overdue")).status_code == 200


@pytest.mark.django_db
def test_requests_show_money_labels_and_status_names_not_stored_values(staff_client, consumed, vendor, submit):
    # Given ¥2,000.00 more consumed, a request of ¥1,234.50 the vendor accepted
    consume(customer_account=consumed.customer_account, vendor=vendor, amount="1000.00")
    request = accept(submit(consumed, vendor, "1234.50"))

    # When staff open the request list, the request and the timeline
    listing = staff_client.get(changelist_url(InvoiceRequest)).content.decode()
    detail = staff_client.get(change_url(request)).content.decode()
    timeline = staff_client.get(changelist_url(InvoiceEvent)).content.decode()

    # Then amounts read as money, the title's type and its verified flag as words, statuses by name
    assert "¥1,234.50" in listing and "¥1,234.50" in detail
    assert "<strong>title type</strong>: Company" in detail
    assert "<strong>taxpayer ID verified</strong>: Yes" in detail
    assert ": True" not in detail and ": company" not in detail
    assert str(request.events.order_by("id").last()) == f"{request.number} Pending → Processing"
    assert "Processing" in timeline and ">processing<" not in timeline
    assert re.search(r">\d{4}-\d{2}-\d{2} \d{2}:\d{2}<", timeline)  # times as YYYY-MM-DD HH:mm
