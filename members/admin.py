from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from members.models import (
    Event,
    FailingAddress,
    Invitation,
    Membership,
    Notification,
    NotificationPreference,
    Organisation,
    User,
)
from members.notifications import delivery
from members.notifications.registry import kind_label


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser", "memberships__organisation"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name", "language")}),
        (
            _("Droits"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (
            _("Dates"),
            {
                "fields": (
                    "last_login",
                    "date_joined",
                    "last_seen_at",
                    "inactivity_warned_at",
                    "anonymised_at",
                )
            },
        ),
    )
    readonly_fields = ["last_seen_at", "inactivity_warned_at", "anonymised_at"]
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["acronym", "name", "kind", "charter_signed_on"]
    list_filter = ["kind"]
    search_fields = ["acronym", "name", "former_name"]
    prepopulated_fields = {"slug": ["acronym"]}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation"]
    search_fields = ["user__email", "organisation__acronym"]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["user", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read and revoke only: an invitation's token travels once, in the email sent by the
    team page, so none can be created here."""

    list_display = ["email", "organisation", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role", "organisation"]
    search_fields = ["email", "organisation__acronym"]
    list_select_related = ["organisation"]
    readonly_fields = [
        "organisation",
        "email",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
    ]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """The record of what happened: read-only."""

    list_display = ["created_at", "kind_name", "actor", "organisation", "content_type", "object_id"]
    list_filter = ["kind", "organisation"]
    search_fields = ["actor__email"]
    list_select_related = ["actor", "organisation", "content_type"]
    date_hierarchy = "created_at"

    @admin.display(description=_("nature"), ordering="kind")
    def kind_name(self, obj):
        """The kind's label, as its app registered it (members.notifications.registry)."""
        return kind_label(obj.kind)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- notifications: what was sent, what waits, what failed (docs/notifications.md) ---------


class DeliveryFilter(admin.SimpleListFilter):
    title = _("livraison")
    parameter_name = "livraison"

    def lookups(self, request, model_admin):
        return [
            ("undelivered", _("Pas encore envoyées (à envoyer, en cours)")),
            ("problems", _("En échec (abandon, adresse en échec)")),
        ]

    def queryset(self, request, queryset):
        from members.models import Notification

        if self.value() == "undelivered":
            return queryset.filter(
                status__in=[Notification.Status.PENDING, Notification.Status.SENDING]
            )
        if self.value() == "problems":
            return queryset.filter(
                status__in=[Notification.Status.FAILED, Notification.Status.DEAD]
            )
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Email deliveries and in-app lines, read-only, with a resend for failed emails."""

    list_display = [
        "created_at",
        "kind",
        "channel",
        "digest",
        "status",
        "recipient",
        "email",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "short_error",
    ]
    list_filter = [DeliveryFilter, "status", "channel", "kind", "digest"]
    search_fields = ["recipient__email", "email", "delivery_key"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Notification._meta.fields]
    actions = ["resend"]

    @admin.display(description=_("dernière erreur"))
    def short_error(self, obj):
        return (obj.last_error or "")[:80]

    @admin.action(description=_("Envoyer de nouveau les courriels sélectionnés"))
    def resend(self, request, queryset):
        count = delivery.resend(
            queryset.filter(channel=Notification.Channel.EMAIL).values_list("pk", flat=True)
        )
        self.message_user(
            request,
            ngettext(
                "%(n)s courriel renvoyé aux travailleurs d'envoi.",
                "%(n)s courriels renvoyés aux travailleurs d'envoi.",
                count,
            )
            % {"n": count},
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FailingAddress)
class FailingAddressAdmin(admin.ModelAdmin):
    """Addresses no longer written to. Delete a row to try the address again."""

    list_display = ["email", "failures", "blocked_at", "last_failed_at", "last_error"]
    list_filter = [("blocked_at", admin.EmptyFieldListFilter)]
    search_fields = ["email"]
    readonly_fields = ["failures", "first_failed_at", "last_failed_at", "last_error"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "mode"]
    list_filter = ["kind", "mode"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
