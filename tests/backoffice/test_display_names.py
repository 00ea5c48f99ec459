"""People see the other party's display name, never a login name: the timeline's actor and who submitted a request,
on the back-office, the console and both APIs (`User.display_name`)."""

import pytest
from django.urls import reverse

from tests.factories import CustomerUserFactory, StaffUserFactory, VendorUserFactory
from tests.helpers import api_client

from .helpers import accept, submit

pytestmark = pytest.mark.django_db


def test_display_name_of_each_role(english):
    # a customer user: the full name (family name first for a Chinese name), else the customer account's name
    assert CustomerUserFactory(last_name="张", first_name="伟").display_name == "张伟"
    assert CustomerUserFactory(last_name="Chen", first_name="Lily").display_name == "Lily Chen"
    nameless = CustomerUserFactory(customer_account__name="杭州示例网络科技有限公司")
    assert nameless.display_name == "杭州示例网络科技有限公司"
    # a vendor user: the vendor; staff: the marketplace, whatever their own names
    assert (
        VendorUserFactory(vendor__name="云帆数据服务有限公司", first_name="Ann").display_name == "云帆数据服务有限公司"
    )
    assert StaffUserFactory(first_name="Bob").display_name == "Marketplace staff"


def test_the_vendor_sees_who_applied_by_name_not_login(browser_for, shopper, vendor, vendor_user):
    shopper.last_name, shopper.first_name = "王", "芳"
    shopper.save()
    request = submit(shopper, vendor, "88.00")

    html = browser_for(vendor_user).get(reverse("backoffice:detail", args=[request.pk])).content.decode()

    assert html.split('data-testid="submitted-by">')[1].startswith("王芳<")
    assert shopper.username not in html
    # the timeline's first step (submitted) names the customer the same way
    timeline = html.split('data-testid="timeline"')[1].split("</ol>")[0]
    assert "by 王芳" in timeline


def test_the_customer_sees_the_vendor_not_the_vendor_users_login(browser_for, shopper, vendor, vendor_user):
    request = accept(submit(shopper, vendor, "88.00"), vendor_user)

    html = browser_for(shopper).get(reverse("console:record_detail", args=[request.pk])).content.decode()

    timeline = html.split('data-testid="timeline"')[1].split("</ol>")[0]
    assert f"by {vendor.name}" in timeline
    assert vendor_user.username not in html


def test_the_apis_name_people_the_same_way(shopper, vendor, vendor_user):
    request = accept(submit(shopper, vendor, "88.00"), vendor_user)

    vendor_view = api_client(vendor_user).get(f"/api/v1/vendor/invoice-requests/{request.pk}/").json()
    customer_view = api_client(shopper).get(f"/api/v1/invoice-requests/{request.pk}/").json()

    assert vendor_view["submitted_by"] == shopper.customer_account.name
    assert [event["actor"] for event in vendor_view["events"]] == [shopper.customer_account.name, vendor.name]
    assert [event["actor"] for event in customer_view["events"]] == [shopper.customer_account.name, vendor.name]
    assert vendor_user.username not in str(customer_view) and shopper.username not in str(vendor_view)
