"""Back-office editing of accounts. Day-to-day creation goes through the services (CLI, console);
the admin is for corrections, so it shows everything and hides nothing."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from operant.accounts.models import (
    Client,
    ClientDomain,
    Contact,
    Integration,
    ServicePackage,
    User,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Operant", {"fields": ("role",)}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Operant", {"fields": ("email", "role")}),
    )


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "vendor_key")
    search_fields = ("key", "name")


@admin.register(ServicePackage)
class ServicePackageAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "monthly_retainer", "currency")
    filter_horizontal = ("integrations",)


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ("email", "name", "phone", "is_billing", "user")
    raw_id_fields = ("user",)


class ClientDomainInline(admin.TabularInline):
    model = ClientDomain
    extra = 0


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "package", "standing", "timezone", "billing_email")
    list_filter = ("package", "standing")
    search_fields = ("name", "slug", "billing_email", "contacts__email", "domains__domain")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at",)
    inlines = (ContactInline, ClientDomainInline)


@admin.register(ClientDomain)
class ClientDomainAdmin(admin.ModelAdmin):
    list_display = ("domain", "client")
    search_fields = ("domain", "client__name")
    raw_id_fields = ("client",)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("email", "name", "client", "is_billing", "user")
    list_filter = ("is_billing",)
    search_fields = ("email", "name", "client__name")
    raw_id_fields = ("client", "user")
