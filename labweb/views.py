from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from labweb.forms import SignUpForm
from labweb.services import user_sign_up
from taxonomy_app import selectors as taxonomy_selectors


def home(request):
    return render(request, "home.html", {"overview": taxonomy_selectors.taxonomy_overview()})


def signup(request):
    if request.user.is_authenticated:
        return redirect("taxonomy:tree")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_sign_up(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            full_name=form.cleaned_data.get("first_name", ""),
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.first_name or user.username}! Browse the taxonomy to see "
                                  "what the model already knows; your contributions are reviewed before they "
                                  "reach it.")
        return redirect("taxonomy:tree")
    return render(request, "registration/signup.html", {"form": form})


@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def ping(request):
    """The trivial view bench/browse.py compares page latencies with (served only with DEBUG or LABWEB_BENCH=1)."""
    return HttpResponse("ok", content_type="text/plain")
