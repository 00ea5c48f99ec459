import pytest

from apps.addresses.models import MailingAddress
from apps.addresses.services import address_create, address_delete, address_set_default, address_update
from apps.core.errors import ApplicationError, NotFoundError
from apps.core.models import AuditLog
from apps.invoices.models import InvoiceRequest
from tests.factories import CustomerUserFactory, InvoiceTitleFactory, VendorFactory, consume
from tests.helpers import submit

ADDRESS = {
    "recipient": "王五",
    "phone": "13800138000",
    "province": "北京市",
    "city": "北京市",
    "district": "海淀区",
    "street": "中关村大街 1 号",
    "postal_code": "100080",
}


@pytest.fixture
def user(db):
    """A customer without any address yet."""
    return CustomerUserFactory()


def _create(user, **overrides) -> MailingAddress:
    return address_create(customer_account=user.customer_account, actor=user, data={**ADDRESS, **overrides})


def _defaults(user) -> list[int]:
    return list(
        MailingAddress.objects.filter(customer_account=user.customer_account, is_default=True).values_list(
            "pk", flat=True
        )
    )


def _field_errors(raised) -> dict[str, list[str]]:
    return {key: [str(m) for m in value] for key, value in raised.value.fields.items()}


# --- create ----------------------------------------------------------------------------------------------------


def test_first_address_becomes_the_default_and_is_audited(user):
    # given a customer without addresses
    # when it adds an address
    address = _create(user)
    # then it is stored as given, is the default, and the creation is audited
    stored = MailingAddress.objects.get(pk=address.pk)
    assert stored.snapshot() == ADDRESS
    assert stored.is_default is True
    log = AuditLog.objects.get(object_type="addresses.mailingaddress", object_id=str(address.pk))
    assert (log.action, log.actor) == ("address_created", user)


def test_second_address_becomes_default_only_when_asked(user):
    # given a customer with a default address
    first = _create(user)
    # when it adds a plain address, then one marked as default
    plain = _create(user, recipient="赵六")
    assert _defaults(user) == [first.pk]
    chosen = _create(user, recipient="钱七", is_default=True)
    # then exactly one default exists: the chosen one
    assert _defaults(user) == [chosen.pk]
    assert MailingAddress.objects.get(pk=plain.pk).is_default is False


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("+86 138 0013 8000", "13800138000"), ("8613912345678", "13912345678"), ("199-1234-5678", "19912345678")],
)
def test_mobile_is_stored_as_eleven_digits(user, typed, stored):
    # given a mobile typed with a country code, spaces or dashes
    # when the address is created
    address = _create(user, phone=typed)
    # then the 11 digits are stored
    assert MailingAddress.objects.get(pk=address.pk).phone == stored


@pytest.mark.parametrize("phone", ["12800138000", "1380013800", "010-88886666", "13800１38000x", "abc"])
def test_bad_mobile_is_refused(user, phone):
    # given a number that is not a mainland mobile
    # when the address is created
    with pytest.raises(ApplicationError) as raised:
        _create(user, phone=phone)
    # then the phone field explains the format and nothing is stored
    assert raised.value.code == "invalid_address"
    assert _field_errors(raised) == {
        "phone": ["Enter a mainland mobile number: 11 digits starting with 13–19, +86 optional."]
    }
    assert not MailingAddress.objects.exists()


@pytest.mark.parametrize("postal_code", ["10008", "1000800", "10008a", "１０００８０", "100 080"])
def test_postal_code_must_be_six_ascii_digits(user, postal_code):
    # given a postal code that is not 6 digits (full-width digits included)
    # when the address is created
    with pytest.raises(ApplicationError) as raised:
        _create(user, postal_code=postal_code)
    # then the postal code field is reported
    assert _field_errors(raised) == {"postal_code": ["A postal code is 6 digits."]}


def test_every_missing_field_is_reported_at_once(user):
    # given an empty address form
    # when it is submitted
    with pytest.raises(ApplicationError) as raised:
        address_create(customer_account=user.customer_account, actor=user, data={})
    # then every field has its own message
    assert _field_errors(raised) == {
        "recipient": ["Enter the recipient's name."],
        "phone": ["Enter the recipient's mobile number."],
        "province": ["Enter the province."],
        "city": ["Enter the city."],
        "district": ["Enter the district."],
        "street": ["Enter the street address."],
        "postal_code": ["Enter the postal code."],
    }


def test_too_long_and_unprintable_fields_are_reported_together(user):
    # given a recipient that is too long, a street with an emoji and a bad postal code
    # when the address is created
    with pytest.raises(ApplicationError) as raised:
        _create(user, recipient="名" * 51, street="中关村😀大街", city="𠮷市", postal_code="abc")
    # then each bad field is reported
    errors = _field_errors(raised)
    assert set(errors) == {"recipient", "street", "city", "postal_code"}
    assert errors["recipient"] == ["At most 50 characters."]
    assert "GBK" in errors["street"][0]
    assert "GBK" in errors["city"][0]


# --- update / default / delete -----------------------------------------------------------------------------------


def test_update_changes_fields_and_audits_before_and_after(user):
    # given an address
    address = _create(user)
    # when the street and mobile change
    address_update(address=address, actor=user, data={"street": "新街口 8 号", "phone": "+8613912345678"})
    # then they are stored (normalized), the rest is kept, and the change is audited
    stored = MailingAddress.objects.get(pk=address.pk)
    assert (stored.street, stored.phone, stored.recipient) == ("新街口 8 号", "13912345678", "王五")
    log = AuditLog.objects.get(action="address_updated")
    assert log.changes["before"]["street"] == "中关村大街 1 号"
    assert log.changes["after"]["street"] == "新街口 8 号"


def test_invalid_update_changes_nothing(user):
    # given an address
    address = _create(user)
    # when an update has a bad postal code
    with pytest.raises(ApplicationError):
        address_update(address=address, actor=user, data={"street": "新街口 8 号", "postal_code": "1"})
    # then nothing changed
    assert MailingAddress.objects.get(pk=address.pk).snapshot() == ADDRESS
    assert not AuditLog.objects.filter(action="address_updated").exists()


def test_set_default_moves_the_only_default(user):
    # given two addresses, the first the default
    first = _create(user)
    second = _create(user, recipient="赵六")
    # when the second is made the default
    address_set_default(address=second, actor=user)
    # then it is the only default, and that is audited
    assert _defaults(user) == [second.pk]
    assert MailingAddress.objects.get(pk=first.pk).is_default is False
    assert AuditLog.objects.filter(action="address_set_default", object_id=str(second.pk), actor=user).count() == 1


def test_update_with_is_default_moves_the_default(user):
    # given two addresses, the first the default
    _create(user)
    second = _create(user, recipient="赵六")
    # when the second is updated with is_default
    address_update(address=second, actor=user, data={"is_default": True})
    # then it is the only default
    assert _defaults(user) == [second.pk]


def test_deleting_the_default_promotes_the_oldest_remaining_address(user):
    # given three addresses, the first the default
    first = _create(user)
    second = _create(user, recipient="赵六")
    _create(user, recipient="钱七")
    first_pk = first.pk
    # when the default is deleted
    address_delete(address=first, actor=user)
    # then the oldest remaining one is the only default, and the deletion is audited with the old values
    assert _defaults(user) == [second.pk]
    log = AuditLog.objects.get(action="address_deleted")
    assert (log.object_id, log.changes["recipient"]) == (str(first_pk), "王五")


def test_deleting_with_a_stale_copy_that_became_default_still_promotes_another(user):
    # given a page that loaded the second address while it was not the default
    _create(user)
    second = _create(user, recipient="赵六")
    _create(user, recipient="钱七")
    stale = MailingAddress.objects.get(pk=second.pk)
    # and another tab made it the default since
    address_set_default(address=MailingAddress.objects.get(pk=second.pk), actor=user)
    # when the stale copy is deleted
    address_delete(address=stale, actor=user)
    # then another address is the one default
    defaults = _defaults(user)
    assert len(defaults) == 1
    assert defaults[0] != second.pk


def test_set_default_of_a_deleted_address_is_not_found_and_keeps_the_default(user):
    # given a default address and a second one deleted in another tab
    first = _create(user)
    second = _create(user, recipient="赵六")
    MailingAddress.objects.filter(pk=second.pk).delete()
    # when the stale second address is made the default
    with pytest.raises(NotFoundError):
        address_set_default(address=second, actor=user)
    # then the first is still the default
    assert _defaults(user) == [first.pk]


def test_deleted_address_stays_in_the_snapshot_of_requests_that_used_it(user):
    # given a request submitted with an address
    vendor = VendorFactory()
    consume(customer_account=user.customer_account, vendor=vendor, amount="500.00")
    title = InvoiceTitleFactory(customer_account=user.customer_account, is_default=True)
    address = _create(user)
    assert (title.is_default, address.is_default) == (True, True)
    request = submit(user, vendor, "100.00")  # with the default title and address
    # when the address is deleted
    address_delete(address=address, actor=user)
    # then the request keeps the address it was submitted with
    stored = InvoiceRequest.objects.get(pk=request.pk)
    assert stored.address_id is None
    assert stored.address_snapshot == ADDRESS
