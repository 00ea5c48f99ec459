from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from apps.core.admin import when_column
from apps.core.errors import ApplicationError

from .models import CustomerAccount, InvoiceType, User, Vendor
from .services import PROFILE_FIELDS, vendor_create, vendor_profile_clean, vendor_profile_update, vendor_rename


class RoleLinkFormMixin:
    """A customer belongs to a customer account, a vendor user to a vendor, staff to neither.

    The database enforces this too (`user_role_matches_link`); the form says which field is wrong instead.
    """

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        account = cleaned.get("customer_account")
        vendor = cleaned.get("vendor")
        if role == User.Role.CUSTOMER:
            if account is None:
                self.add_error("customer_account", _("A customer user needs a customer account."))
            if vendor is not None:
                self.add_error("vendor", _("A customer user cannot belong to a vendor."))
        elif role == User.Role.VENDOR:
            if vendor is None:
                self.add_error("vendor", _("A vendor user needs a vendor."))
            if account is not None:
                self.add_error("customer_account", _("A vendor user cannot belong to a customer account."))
        elif role == User.Role.STAFF:
            if account is not None:
                self.add_error("customer_account", _("Marketplace staff belong to no customer account."))
            if vendor is not None:
                self.add_error("vendor", _("Marketplace staff belong to no vendor."))
        return cleaned


class UserCreationAdminForm(RoleLinkFormMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "role", "customer_account", "vendor")


class UserChangeAdminForm(RoleLinkFormMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Role"), {"fields": ("role", "customer_account", "vendor")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "role",
                    "customer_account",
                    "vendor",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    list_display = (
        "username",
        "full_name",
        "role",
        "belongs_to",
        "email",
        "is_active",
        when_column("last_login", _("last login")),
    )
    list_filter = ("role", "is_active", "is_staff", "is_superuser", "vendor")
    search_fields = ("username", "first_name", "last_name", "email", "customer_account__name", "vendor__name")
    autocomplete_fields = ("customer_account", "vendor")
    list_select_related = ("customer_account", "vendor")

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, obj):
        return obj.get_full_name()

    @admin.display(description=_("customer account or vendor"))
    def belongs_to(self, obj):
        return obj.customer_account or obj.vendor or "-"


class UserInline(admin.TabularInline):
    model = User
    fields = ("username", "email", "is_active", "last_login")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CustomerAccount)
class CustomerAccountAdmin(admin.ModelAdmin):
    list_display = ("name", "user_count", when_column("created_at", _("created")))
    search_fields = ("name",)
    readonly_fields = ("created_at", "updated_at")
    inlines = (UserInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_user_count=Count("users"))

    @admin.display(description=_("number of users"), ordering="_user_count")
    def user_count(self, obj):
        return obj._user_count

    def has_delete_permission(self, request, obj=None):
        return False  # requests, consumption and users refer to it; nothing is ever deleted


class VendorAdminForm(forms.ModelForm):
    supported_invoice_types = forms.TypedMultipleChoiceField(
        label=_("supported invoice types"),
        choices=InvoiceType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The paper invoice types this vendor issues; customers can choose only these."),
    )

    class Meta:
        model = Vendor
        fields = ("name", "contact_phone", "contact_email", "service_hours", "supported_invoice_types")

    def clean(self):
        # The vendor services' rules, shown next to the fields; VendorAdmin.save_model then writes through them.
        cleaned = super().clean()
        try:
            vendor_profile_clean(data=cleaned, current=self.instance if self.instance.pk else None)
        except ApplicationError as error:
            for field, messages in error.fields.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, str(message))
        return cleaned


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    form = VendorAdminForm
    list_display = ("name", "contact_phone", "contact_email", "invoice_types", when_column("created_at", _("created")))
    search_fields = ("name", "contact_email", "contact_phone")
    readonly_fields = ("created_at", "updated_at")
    inlines = (UserInline,)

    @admin.display(description=_("supported invoice types"))
    def invoice_types(self, obj):
        return "、".join(obj.supported_invoice_type_labels())

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in PROFILE_FIELDS}
        try:
            if change:
                vendor = vendor_rename(actor=request.user, vendor=obj, name=form.cleaned_data["name"])
                vendor = vendor_profile_update(actor=request.user, vendor=vendor, data=data)
            else:
                vendor = vendor_create(actor=request.user, name=form.cleaned_data["name"], data=data)
        except ApplicationError as error:  # only a race can get here: the form checked the same rules
            raise ValidationError(str(error.message)) from error
        # Point the admin (log entry, redirect) at the row the services wrote.
        obj.pk, obj._state.adding, obj._state.db = vendor.pk, False, vendor._state.db

    def has_delete_permission(self, request, obj=None):
        return False  # requests and consumption refer to it; nothing is ever deleted
