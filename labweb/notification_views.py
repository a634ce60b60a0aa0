"""The bell, the list of one's own notifications and one's notification settings. Every query is scoped to
request.user: another person's notification is a 404, never a 403 that would confirm it exists."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from labweb.models import Notification
from labweb.notifications import (
    KINDS,
    notification_mark_read,
    notification_settings_of,
    notification_settings_update,
    notifications_mark_all_read,
    notifications_of,
    safe_local_url,
    unread_count,
)

PAGE_SIZE = 50


class NotificationSettingsForm(forms.Form):
    in_app_enabled = forms.BooleanField(required=False, label="Show notifications in LabWeb (the bell)")
    email_enabled = forms.BooleanField(required=False, label="Send me notifications by email")
    kinds = forms.MultipleChoiceField(required=False, choices=KINDS.choices,
                                      widget=forms.CheckboxSelectMultiple,
                                      label="Tell me when")


@never_cache
@require_GET
def badge(request):
    if not request.user.is_authenticated:
        # The header polls this; after a session ends, swapping the login page into the header helps nobody.
        if request.htmx:
            return HttpResponse(status=204)
        return redirect_to_login(request.get_full_path())
    return render(request, "notifications/_badge.html", {"unread": unread_count(user=request.user)})


@login_required
@require_GET
def notification_list(request):
    page = Paginator(notifications_of(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html",
                  {"page": page, "unread": unread_count(user=request.user)})


@login_required
@require_POST
def notification_open(request, pk: int):
    """Mark read and go to what it is about; a link that would leave the site goes to the list instead."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notification_mark_read(notification=notification)
    return redirect(safe_local_url(notification.url) or "notifications:list")


@login_required
@require_POST
def notification_mark_all_read(request):
    count = notifications_mark_all_read(user=request.user)
    messages.success(request, f"Marked {count} notification{'' if count == 1 else 's'} as read." if count
                     else "Nothing was unread.")
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    current = notification_settings_of(user=request.user)
    initial = {"email_enabled": current.email_enabled, "in_app_enabled": current.in_app_enabled,
               "kinds": [kind for kind in KINDS.values if kind not in current.muted_kinds]}
    form = (NotificationSettingsForm(request.POST) if request.method == "POST"
            else NotificationSettingsForm(initial=initial))
    if request.method == "POST" and form.is_valid():
        notification_settings_update(user=request.user, email_enabled=form.cleaned_data["email_enabled"],
                                     in_app_enabled=form.cleaned_data["in_app_enabled"],
                                     enabled_kinds=form.cleaned_data["kinds"])
        messages.success(request, "Your notification settings are saved.")
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html",
                  {"form": form, "has_email": bool(request.user.email)},
                  status=400 if request.method == "POST" else 200)
