"""Issue 8 under careless or hostile input: bidi override characters, deep JSON bodies on the attachment
endpoints, attachment names that lie about the file, and the withdrawal refusal's readable `fields`."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core.errors import ApplicationError
from apps.core.validators import check_no_control_characters
from apps.refunds.models import SupportTicket, TicketAttachment
from apps.refunds.services.tickets import ticket_open
from tests.helpers import api_client, assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("char", BIDI)
def test_bidi_embeddings_overrides_and_isolates_are_refused_in_every_text(char):
    """They make stored text display in another order ("invoice\u202egnp.exe" reads "invoiceexe.png")."""
    for multiline in (frozenset(), {"reason"}):
        with pytest.raises(ApplicationError) as error:
            check_no_control_characters({"reason": f"refund{char}dnufer"}, multiline=multiline)
        assert error.value.code == "invalid_characters"
        assert list(error.value.fields) == ["reason"]
    # Ordinary right-to-left text and the invisible marks that do not reorder stay allowed.
    check_no_control_characters({"reason": "שלום \u200f عربى 中文"}, multiline={"reason"})


def test_a_ticket_subject_with_a_right_to_left_override_is_refused_with_a_field_message(consumed):
    response = api_client(consumed).post(
        "/api/v1/tickets/", {"subject": "Void IR\u202e0001", "body": "Please."}, format="json"
    )

    body = assert_error(response, 400, "invalid_characters")
    assert all(isinstance(message, str) for message in body["fields"]["subject"])
    assert not SupportTicket.objects.exists()


def test_a_refund_reason_with_a_bidi_isolate_is_refused_on_the_page(consumed, vendor, customer_client):
    response = customer_client.post(
        "/console/refunds/", {"vendor": str(vendor.pk), "amount": "10.00", "reason": "ok\u2066 evil"}
    )

    assert response.status_code == 200  # the form again, not a redirect
    assert "invisible control characters" in response.content.decode()
    assert not consumed.customer_account.refunds.exists()


@pytest.mark.parametrize("path", ["/api/v1/tickets/", "/api/v1/staff/tickets/{ticket}/reply/"])
def test_a_deeply_nested_json_body_on_the_attachment_endpoints_is_a_400(consumed, staff_user, path):
    """These endpoints take multipart first; their JSON parser must refuse deep nesting like every other one."""
    ticket = ticket_open(actor=consumed, customer_account=consumed.customer_account, subject="s", body="b")
    client = api_client(staff_user if "staff" in path else consumed)

    response = client.generic(
        "POST",
        path.format(ticket=ticket.pk),
        '{"body":' * 5000 + "null" + "}" * 5000,
        content_type="application/json",
    )

    assert_error(response, 400, "json_too_deep")


def _attach(customer, name: str) -> TicketAttachment:
    ticket = ticket_open(
        actor=customer,
        customer_account=customer.customer_account,
        subject="Photo",
        body="See attached.",
        files=[SimpleUploadedFile(name, PNG, content_type="image/png")],
    )
    return TicketAttachment.objects.get(message__ticket=ticket)


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("invoice\u202egnp.exe", "invoicegnp.exe.png"),  # bidi character dropped; named for what it is
        ("../../etc/passwd.png", "passwd.png"),
        ("scan.PNG", "scan.PNG"),
        ("a" * 300 + ".png", "a" * 146 + ".png"),  # cut to 150, keeping the extension
    ],
)
def test_an_attachment_is_offered_under_a_safe_name_ending_in_what_it_really_is(consumed, sent, kept):
    attachment = _attach(consumed, sent)

    assert attachment.original_name == kept
    response = api_client(consumed).get(f"/api/v1/tickets/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


def test_a_refused_attachment_is_named_without_its_folders_or_hidden_characters(consumed):
    response = api_client(consumed).post(
        "/api/v1/tickets/",
        {
            "subject": "Photo",
            "body": "b",
            "files": [SimpleUploadedFile("../../tmp/\u202eevil.png", b"MZ\x90\x00" + b"\x00" * 60)],
        },
        format="multipart",
    )

    body = assert_error(response, 400, "attachment_type")
    assert body["fields"]["files"] == [body["message"]]
    assert body["message"].startswith("evil.png ")
    assert not SupportTicket.objects.exists()
