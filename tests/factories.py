import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from apps.accounts.models import CustomerAccount, InvoiceType, User, Vendor
from apps.addresses.models import MailingAddress
from apps.billing.services import consumption_record
from apps.titles.models import InvoiceTitle

PASSWORD = "demo12345"


class CustomerAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerAccount

    name = factory.Sequence(lambda n: f"客户账号{n}")


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor

    name = factory.Sequence(lambda n: f"服务商{n}有限公司")
    contact_phone = "400-800-0000"
    contact_email = factory.Sequence(lambda n: f"vendor{n}@example.com")
    service_hours = "工作日 09:00–18:00"
    supported_invoice_types = factory.LazyFunction(lambda: [InvoiceType.GENERAL, InvoiceType.SPECIAL])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class CustomerUserFactory(UserFactory):
    role = User.Role.CUSTOMER
    customer_account = factory.SubFactory(CustomerAccountFactory)


class VendorUserFactory(UserFactory):
    role = User.Role.VENDOR
    vendor = factory.SubFactory(VendorFactory)


class StaffUserFactory(UserFactory):
    role = User.Role.STAFF
    is_staff = True


class InvoiceTitleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InvoiceTitle

    customer_account = factory.SubFactory(CustomerAccountFactory)
    kind = InvoiceTitle.Kind.COMPANY
    name = factory.Sequence(lambda n: f"示例科技{n}有限公司")
    taxpayer_id = "91110000600037341L"
    taxpayer_id_verified = True
    registered_address = "北京市海淀区中关村大街 1 号"
    registered_phone = "010-88886666"
    bank_name = "中国工商银行北京分行"
    bank_account = "0200000000000000000"
    is_default = False


class MailingAddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MailingAddress

    customer_account = factory.SubFactory(CustomerAccountFactory)
    recipient = "王五"
    phone = "13800138000"
    province = "北京市"
    city = "北京市"
    district = "海淀区"
    street = "中关村大街 1 号"
    postal_code = "100080"
    is_default = False


_consumption_counter = iter(range(1, 10**9))


def consume(*, customer_account: CustomerAccount, vendor: Vendor, amount: str | Decimal) -> None:
    """Record consumption through the real service, so the balance row is what production would have."""
    consumption_record(
        customer_account=customer_account,
        vendor=vendor,
        amount=Decimal(str(amount)),
        consumed_at=timezone.now() - dt.timedelta(days=1),
        external_id=f"test-{next(_consumption_counter)}-{customer_account.pk}-{vendor.pk}",
    )
