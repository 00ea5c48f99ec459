import pytest

from apps.core.errors import ApplicationError, NotFoundError
from apps.core.models import AuditLog
from apps.invoices.models import InvoiceRequest
from apps.titles.models import InvoiceTitle
from apps.titles.services import title_create, title_delete, title_set_default, title_update
from tests.factories import CustomerUserFactory, MailingAddressFactory, VendorFactory, consume
from tests.helpers import submit

COMPANY = {
    "kind": "company",
    "name": "北京示例科技有限公司",
    "taxpayer_id": "91110000600037341L",
    "registered_address": "北京市海淀区中关村大街 1 号",
    "registered_phone": "010-88886666",
    "bank_name": "中国工商银行北京分行",
    "bank_account": "0200000000000000000",
}


@pytest.fixture
def user(db):
    """A customer without any title yet."""
    return CustomerUserFactory()


def _create(user, **overrides) -> InvoiceTitle:
    return title_create(customer_account=user.customer_account, actor=user, data={**COMPANY, **overrides})


def _defaults(user) -> list[int]:
    return list(
        InvoiceTitle.objects.filter(customer_account=user.customer_account, is_default=True).values_list(
            "pk", flat=True
        )
    )


def _audit_actions(obj) -> list[str]:
    return list(
        AuditLog.objects.filter(object_type="titles.invoicetitle", object_id=str(obj.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- create ----------------------------------------------------------------------------------------------------


def test_first_title_becomes_the_default_and_is_audited(user):
    # given a customer without titles
    # when it creates a company title without asking for the default
    title = _create(user)
    # then it is stored with a verified taxpayer ID, is the default, and an audit row names the actor
    stored = InvoiceTitle.objects.get(pk=title.pk)
    assert stored.kind == "company"
    assert stored.name == "北京示例科技有限公司"
    assert stored.taxpayer_id == "91110000600037341L"
    assert stored.taxpayer_id_verified is True
    assert stored.is_default is True
    log = AuditLog.objects.get(object_type="titles.invoicetitle", object_id=str(title.pk))
    assert log.action == "title_created"
    assert log.actor == user
    assert log.changes["taxpayer_id"] == "91110000600037341L"


def test_second_title_is_not_default_unless_asked(user):
    # given a customer with a default title
    first = _create(user)
    # when it adds a second title without asking for the default
    second = _create(user, name="第二个抬头")
    # then the first stays the only default
    assert _defaults(user) == [first.pk]
    assert InvoiceTitle.objects.get(pk=second.pk).is_default is False


def test_creating_a_title_as_default_moves_the_default(user):
    # given a customer with a default title
    first = _create(user)
    # when it adds another title marked as default
    second = _create(user, name="新的默认抬头", is_default=True)
    # then exactly one default exists: the new one
    assert _defaults(user) == [second.pk]
    assert InvoiceTitle.objects.get(pk=first.pk).is_default is False


def test_lowercase_taxpayer_id_is_stored_normalized(user):
    # given a taxpayer ID typed in lowercase with spaces
    # when the title is created
    title = _create(user, taxpayer_id=" 91350200ma2yj1xr9g ")
    # then it is stored upper-case and verified
    assert InvoiceTitle.objects.get(pk=title.pk).taxpayer_id == "91350200MA2YJ1XR9G"


@pytest.mark.parametrize("legacy", ["110000600037341", "11010870000012345", "11010519491231002X01"])
def test_legacy_taxpayer_id_is_stored_unverified(user, legacy):
    # given a 15, 17 or 20-character legacy taxpayer ID
    # when the title is created
    title = _create(user, taxpayer_id=legacy)
    # then it is accepted and marked unverified
    stored = InvoiceTitle.objects.get(pk=title.pk)
    assert stored.taxpayer_id == legacy
    assert stored.taxpayer_id_verified is False


def test_individual_title_drops_every_company_field(user):
    # given an individual title submitted with company fields filled in (one of them over its length limit)
    data = {**COMPANY, "kind": "individual", "name": "张三", "bank_name": "很长" * 100}
    # when it is created
    title = title_create(customer_account=user.customer_account, actor=user, data=data)
    # then only the name is kept
    stored = InvoiceTitle.objects.get(pk=title.pk)
    assert stored.kind == "individual"
    assert stored.name == "张三"
    assert (
        stored.taxpayer_id,
        stored.registered_address,
        stored.registered_phone,
        stored.bank_name,
        stored.bank_account,
    ) == ("", "", "", "", "")
    assert stored.taxpayer_id_verified is False


def test_company_title_without_taxpayer_id_is_refused(user):
    # given a company title without a taxpayer ID
    # when it is created
    with pytest.raises(ApplicationError) as raised:
        _create(user, taxpayer_id="   ")
    # then it is refused on the taxpayer_id field and nothing is stored
    assert raised.value.code == "invalid_title"
    assert raised.value.fields == {"taxpayer_id": ["A company title needs its taxpayer ID."]}
    assert not InvoiceTitle.objects.filter(customer_account=user.customer_account).exists()
    assert not AuditLog.objects.exists()


def test_every_bad_field_is_reported_at_once(user):
    # given a title with many problems
    data = {
        "kind": "company",
        "name": "",
        "taxpayer_id": "91110000600037341A",
        "registered_address": "地" * 201,
        "registered_phone": "1" * 31,
        "bank_name": "银行😀",
        "bank_account": "9" * 41,
    }
    # when it is created
    with pytest.raises(ApplicationError) as raised:
        title_create(customer_account=user.customer_account, actor=user, data=data)
    # then each bad field has its own message
    fields = {key: [str(m) for m in value] for key, value in raised.value.fields.items()}
    assert set(fields) == {"name", "taxpayer_id", "registered_address", "registered_phone", "bank_name", "bank_account"}
    assert fields["name"] == ["Enter the title name."]
    assert fields["registered_address"] == ["At most 200 characters."]
    assert fields["registered_phone"] == ["At most 30 characters."]
    assert fields["bank_account"] == ["At most 40 characters."]
    assert "GBK" in fields["bank_name"][0]
    assert "check character" in fields["taxpayer_id"][0]


def test_unknown_title_kind_is_refused(user):
    # given a title of an unknown kind
    # when it is created
    with pytest.raises(ApplicationError) as raised:
        _create(user, kind="government")
    # then the kind field is reported
    assert raised.value.fields == {"kind": ["Choose company or individual."]}


def test_name_the_printer_cannot_print_is_refused(user):
    # given a title name with a character outside GBK
    # when it is created
    with pytest.raises(ApplicationError) as raised:
        _create(user, name="𠮷野家有限公司")
    # then the name is reported
    assert list(raised.value.fields) == ["name"]


# --- update ----------------------------------------------------------------------------------------------------


def test_update_changes_fields_and_audits_before_and_after(user):
    # given a company title
    title = _create(user)
    # when its name and taxpayer ID change to a legacy ID
    updated = title_update(title=title, actor=user, data={"name": "改名后的公司", "taxpayer_id": "110000600037341"})
    # then the stored title has the new values, the ID is unverified, other fields are kept
    stored = InvoiceTitle.objects.get(pk=title.pk)
    assert (stored.name, stored.taxpayer_id, stored.taxpayer_id_verified) == ("改名后的公司", "110000600037341", False)
    assert stored.bank_name == COMPANY["bank_name"]
    assert updated.name == "改名后的公司"
    log = AuditLog.objects.filter(action="title_updated").get()
    assert log.actor == user
    assert log.changes["before"]["name"] == "北京示例科技有限公司"
    assert log.changes["after"]["name"] == "改名后的公司"


def test_update_from_company_to_individual_clears_company_fields(user):
    # given a company title
    title = _create(user)
    # when it becomes an individual title
    title_update(title=title, actor=user, data={"kind": "individual", "name": "李四"})
    # then the company fields are gone
    stored = InvoiceTitle.objects.get(pk=title.pk)
    assert (stored.kind, stored.name, stored.taxpayer_id, stored.bank_account) == ("individual", "李四", "", "")


def test_invalid_update_changes_nothing(user):
    # given a company title
    title = _create(user)
    # when an update has an invalid taxpayer ID
    with pytest.raises(ApplicationError):
        title_update(title=title, actor=user, data={"name": "新名字", "taxpayer_id": "123"})
    # then the stored title is unchanged and no update is audited
    stored = InvoiceTitle.objects.get(pk=title.pk)
    assert (stored.name, stored.taxpayer_id) == (COMPANY["name"], COMPANY["taxpayer_id"])
    assert _audit_actions(title) == ["title_created"]


def test_update_with_is_default_moves_the_default(user):
    # given two titles, the first the default
    first = _create(user)
    second = _create(user, name="第二个")
    # when the second is updated with is_default
    title_update(title=second, actor=user, data={"is_default": True})
    # then the second is the only default
    assert _defaults(user) == [second.pk]
    assert InvoiceTitle.objects.get(pk=first.pk).is_default is False


def test_update_of_a_deleted_title_is_not_found(user):
    # given a title deleted in another tab
    title = _create(user)
    InvoiceTitle.objects.filter(pk=title.pk).delete()
    # when the stale copy is updated
    # then it is not found
    with pytest.raises(NotFoundError):
        title_update(title=title, actor=user, data={"name": "x"})


# --- default ---------------------------------------------------------------------------------------------------


def test_set_default_moves_the_only_default_and_is_audited(user):
    # given three titles, the first the default
    first = _create(user)
    second = _create(user, name="第二个")
    third = _create(user, name="第三个")
    # when the third is made the default, then the second
    title_set_default(title=third, actor=user)
    assert _defaults(user) == [third.pk]
    title_set_default(title=second, actor=user)
    # then exactly one default exists each time, and each change is audited
    assert _defaults(user) == [second.pk]
    assert InvoiceTitle.objects.get(pk=first.pk).is_default is False
    assert _audit_actions(third) == ["title_created", "title_set_default"]
    assert _audit_actions(second) == ["title_created", "title_set_default"]


def test_set_default_of_a_deleted_title_keeps_the_current_default(user):
    # given a default title and a second title deleted in another tab
    first = _create(user)
    second = _create(user, name="第二个")
    InvoiceTitle.objects.filter(pk=second.pk).delete()
    # when the stale second title is made the default
    with pytest.raises(NotFoundError):
        title_set_default(title=second, actor=user)
    # then the first is still the default (the account is never left without one)
    assert _defaults(user) == [first.pk]


# --- delete ----------------------------------------------------------------------------------------------------


def test_deleting_the_default_promotes_the_oldest_remaining_title(user):
    # given three titles, the first the default
    first = _create(user)
    second = _create(user, name="第二个")
    _create(user, name="第三个")
    first_pk = first.pk
    # when the default is deleted
    title_delete(title=first, actor=user)
    # then the oldest remaining title is the only default and the deletion is audited with the old values
    assert _defaults(user) == [second.pk]
    log = AuditLog.objects.get(action="title_deleted")
    assert log.object_id == str(first_pk)
    assert log.actor == user
    assert log.changes["name"] == COMPANY["name"]


def test_deleting_another_title_keeps_the_default(user):
    # given two titles, the first the default
    first = _create(user)
    second = _create(user, name="第二个")
    # when the second is deleted
    title_delete(title=second, actor=user)
    # then the first stays the default
    assert _defaults(user) == [first.pk]
    assert not InvoiceTitle.objects.filter(pk=second.pk).exists()


def test_deleting_with_a_stale_copy_that_became_default_still_promotes_another(user):
    # given a page that loaded the second title while it was not the default
    _create(user)
    second = _create(user, name="第二个")
    third = _create(user, name="第三个")
    stale = InvoiceTitle.objects.get(pk=second.pk)
    # and another tab made it the default since
    title_set_default(title=InvoiceTitle.objects.get(pk=second.pk), actor=user)
    # when the stale copy is deleted
    title_delete(title=stale, actor=user)
    # then another title is promoted: the account still has exactly one default
    defaults = _defaults(user)
    assert len(defaults) == 1
    assert defaults[0] != second.pk
    assert third.pk in InvoiceTitle.objects.values_list("pk", flat=True)


def test_deleting_the_last_title_leaves_none(user):
    # given a single title
    title = _create(user)
    # when it is deleted
    title_delete(title=title, actor=user)
    # then the account has no titles left
    assert not InvoiceTitle.objects.filter(customer_account=user.customer_account).exists()


def test_deleted_title_stays_in_the_snapshot_of_requests_that_used_it(user):
    # given a request submitted with a title
    vendor = VendorFactory()
    consume(customer_account=user.customer_account, vendor=vendor, amount="500.00")
    title = _create(user)
    address = MailingAddressFactory(customer_account=user.customer_account, is_default=True)
    assert (title.is_default, address.is_default) == (True, True)
    request = submit(user, vendor, "100.00")  # with the default title and address
    # when the title is deleted
    title_delete(title=title, actor=user)
    # then the request no longer links to it but keeps every value it was submitted with
    stored = InvoiceRequest.objects.get(pk=request.pk)
    assert stored.title_id is None
    assert stored.title_snapshot == {
        "kind": "company",
        "name": COMPANY["name"],
        "taxpayer_id": COMPANY["taxpayer_id"],
        "taxpayer_id_verified": True,
        "registered_address": COMPANY["registered_address"],
        "registered_phone": COMPANY["registered_phone"],
        "bank_name": COMPANY["bank_name"],
        "bank_account": COMPANY["bank_account"],
    }


def test_editing_a_title_does_not_change_the_snapshot_of_earlier_requests(user):
    # given a request submitted with a title
    vendor = VendorFactory()
    consume(customer_account=user.customer_account, vendor=vendor, amount="500.00")
    title = _create(user)
    address = MailingAddressFactory(customer_account=user.customer_account, is_default=True)
    assert (title.is_default, address.is_default) == (True, True)
    request = submit(user, vendor, "100.00")  # with the default title and address
    # when the title is renamed
    title_update(title=title, actor=user, data={"name": "改名后的公司"})
    # then the request still shows the name it was submitted with
    assert InvoiceRequest.objects.get(pk=request.pk).title_snapshot["name"] == COMPANY["name"]
