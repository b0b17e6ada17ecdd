"""Log in, log out and password reset: Django's auth views with Rota's templates.

Sign-up and the profile pages join a person to rotas and re-plan them, so they live with the
rota domain (rota.rotas.views); accounts knows nothing of rota.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django_ratelimit.core import is_ratelimited


def _email_asked(group: str, request: HttpRequest) -> str:
    return str(request.POST.get("email", "")).strip().lower()[:254]


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view, limited per e-mail address asked for and per client, so nobody
    can flood one inbox or use the form to send mail in bulk (django-ratelimit counts in the
    shared cache)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Count both limits on every request, even once one of them is reached.
        limited = [
            is_ratelimited(
                request,
                group="password-reset-email",
                key=_email_asked,
                rate=settings.ROTA_PASSWORD_RESET_RATE_PER_EMAIL,
                method="POST",
                increment=True,
            ),
            is_ratelimited(
                request,
                group="password-reset-client",
                key="ip",
                rate=settings.ROTA_PASSWORD_RESET_RATE_PER_CLIENT,
                method="POST",
                increment=True,
            ),
        ]
        if any(limited):
            form = self.get_form()
            form.is_valid()
            form.add_error(
                None,
                "Too many password-reset e-mails were asked for just now. Check your inbox "
                "(and spam folder) for the last one, or try again in an hour.",
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)


def rate_limited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """django-ratelimit's answer where a view blocks outright: a page, not a bare 403."""
    return render(request, "registration/rate_limited.html", status=429)


login = auth_views.LoginView.as_view(redirect_authenticated_user=True)
# Django's LogoutView accepts POST only, so a link or a prefetch cannot log anyone out.
logout = auth_views.LogoutView.as_view()
password_reset = PasswordResetView.as_view(
    success_url=reverse_lazy("password_reset_done"),
    email_template_name="registration/password_reset_email.txt",
    subject_template_name="registration/password_reset_subject.txt",
)
password_reset_done = auth_views.PasswordResetDoneView.as_view()
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    success_url=reverse_lazy("password_reset_complete"), post_reset_login=False
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view()
password_change = auth_views.PasswordChangeView.as_view(
    success_url=reverse_lazy("password_change_done")
)
password_change_done = auth_views.PasswordChangeDoneView.as_view()
