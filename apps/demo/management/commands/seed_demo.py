"""Demo data for `make run` and the browser tests. Safe to run again: it changes nothing the second time."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import CustomerAccount, InvoiceType, User, Vendor
from apps.addresses.services import address_create
from apps.billing.services import consumption_record
from apps.invoices.mailing import MailingInfo, invoice_request_mail
from apps.invoices.models import InvoiceRequest
from apps.invoices.services import (
    invoice_request_accept,
    invoice_request_cancel,
    invoice_request_reject,
    invoice_request_submit,
)
from apps.titles.services import title_create

DEMO_PASSWORD = "demo12345"


class Command(BaseCommand):
    help = "Create the demo accounts (password demo12345), consumption and a few invoice requests."

    @transaction.atomic
    def handle(self, *args, **options):
        vendor1, _ = Vendor.objects.get_or_create(
            name="云帆数据服务有限公司",
            defaults={
                "contact_phone": "400-820-1234",
                "contact_email": "invoice@yunfan.example.com",
                "service_hours": "工作日 09:00–18:00",
                "supported_invoice_types": [InvoiceType.GENERAL, InvoiceType.SPECIAL],
            },
        )
        vendor2, _ = Vendor.objects.get_or_create(
            name="北辰安全科技有限公司",
            defaults={
                "contact_phone": "010-6266-8899",
                "contact_email": "finance@beichen.example.com",
                "service_hours": "周一至周五 10:00–17:00",
                "supported_invoice_types": [InvoiceType.GENERAL],
            },
        )
        account1, _ = CustomerAccount.objects.get_or_create(name="杭州示例网络科技有限公司")
        account2, _ = CustomerAccount.objects.get_or_create(name="上海示例信息技术有限公司")

        # With e-mail addresses, so `make run` prints the customer notifications in the worker's output.
        customer1 = self._user(
            "customer1", role=User.Role.CUSTOMER, customer_account=account1, email="customer1@example.com"
        )
        customer2 = self._user(
            "customer2", role=User.Role.CUSTOMER, customer_account=account2, email="customer2@example.com"
        )
        self._user("vendor1", role=User.Role.VENDOR, vendor=vendor1)
        self._user("vendor2", role=User.Role.VENDOR, vendor=vendor2)
        staff1 = self._user("staff1", role=User.Role.STAFF, is_staff=True, is_superuser=True)
        # Voiding an invoice from a support ticket needs this permission, given by name (not only as superuser).
        void = Permission.objects.get(codename="void_invoicerequest", content_type__app_label="invoices")
        staff1.user_permissions.add(void)

        now = timezone.now()
        consumption = [
            ("demo-c1-v1-1", account1, vendor1, "3200.00", 40),
            ("demo-c1-v1-2", account1, vendor1, "1850.50", 20),
            ("demo-c1-v2-1", account1, vendor2, "980.00", 15),
            ("demo-c2-v2-1", account2, vendor2, "1200.00", 10),
        ]
        for external_id, account, vendor, amount, days_ago in consumption:
            consumption_record(
                customer_account=account,
                vendor=vendor,
                amount=Decimal(amount),
                consumed_at=now - dt.timedelta(days=days_ago),
                external_id=external_id,
                description="演示消耗",
            )

        if not account1.titles.exists():
            title_create(
                customer_account=account1,
                actor=customer1,
                data={
                    "kind": "company",
                    "name": "杭州示例网络科技有限公司",
                    "taxpayer_id": "91110000600037341L",
                    "registered_address": "浙江省杭州市西湖区文三路 100 号",
                    "registered_phone": "0571-88886666",
                    "bank_name": "招商银行杭州分行",
                    "bank_account": "571900000010101",
                    "is_default": True,
                },
            )
            address_create(
                customer_account=account1,
                actor=customer1,
                data={
                    "recipient": "张三",
                    "phone": "13800138000",
                    "province": "浙江省",
                    "city": "杭州市",
                    "district": "西湖区",
                    "street": "文三路 100 号 8 楼",
                    "postal_code": "310012",
                    "is_default": True,
                },
            )
        if not account2.titles.exists():
            title_create(
                customer_account=account2,
                actor=customer2,
                data={"kind": "individual", "name": "李四", "is_default": True},
            )
            address_create(
                customer_account=account2,
                actor=customer2,
                data={
                    "recipient": "李四",
                    "phone": "13912345678",
                    "province": "上海市",
                    "city": "上海市",
                    "district": "浦东新区",
                    "street": "世纪大道 200 号",
                    "postal_code": "200120",
                },
            )

        if not InvoiceRequest.objects.filter(customer_account=account1).exists():
            title = account1.titles.get(is_default=True)
            address = account1.addresses.get(is_default=True)
            vendor1_user = User.objects.get(username="vendor1")
            submitted = {}
            for amount in ("30.00", "500.00", "120.00", "88.00", "45.00", "60.00"):
                submitted[amount], _ = invoice_request_submit(
                    actor=customer1,
                    customer_account=account1,
                    vendor=vendor1,
                    amount=Decimal(amount),
                    title=title,
                    address=address,
                )
            # 30.00 and 500.00 stay pending; the others show the vendor's side of the lifecycle.
            for amount in ("120.00", "88.00", "45.00"):
                invoice_request_accept(actor=vendor1_user, vendor=vendor1, invoice_request_id=submitted[amount].pk)
            for amount, payer, tracking in (("88.00", "vendor", "SF1400000001"), ("45.00", "recipient", "YT900000002")):
                invoice_request_mail(
                    actor=vendor1_user,
                    vendor=vendor1,
                    invoice_request_id=submitted[amount].pk,
                    mailing=MailingInfo(
                        invoice_numbers=[f"0445{submitted[amount].pk:08d}"],
                        invoice_date=timezone.localdate(),
                        courier="sf" if payer == "vendor" else "yto",
                        tracking_number=tracking,
                        shipping_payer=payer,
                    ),
                )
            invoice_request_reject(
                actor=vendor1_user,
                vendor=vendor1,
                invoice_request_id=submitted["60.00"].pk,
                reason="纳税人识别号与开户银行信息不一致，请核对抬头后重新申请。",
            )
            cancelled, _ = invoice_request_submit(
                actor=customer1,
                customer_account=account1,
                vendor=vendor2,
                amount=Decimal("100.00"),
                title=title,
                address=address,
            )
            invoice_request_cancel(
                actor=customer1, customer_account=account1, invoice_request_id=cancelled.pk, reason="抬头选错了"
            )
        if not InvoiceRequest.objects.filter(customer_account=account2).exists():
            invoice_request_submit(
                actor=customer2,
                customer_account=account2,
                vendor=vendor2,
                amount=Decimal("200.00"),
                title=account2.titles.get(),
                address=account2.addresses.get(),
            )
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data ready. Accounts: customer1, customer2, vendor1, vendor2, staff1 (password demo12345)."
            )
        )

    def _user(self, username: str, **fields) -> User:
        user, created = User.objects.get_or_create(username=username, defaults=fields)
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        elif fields.get("email") and not user.email:
            # A demo database seeded before the customers had addresses gets them too.
            user.email = fields["email"]
            user.save(update_fields=["email"])
        return user
