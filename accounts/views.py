"""Log in, log out and password reset: Django's auth views with Rota's templates.

Sign-up and the profile pages join a person to rotas and re-plan them, so they live with the
rota domain (rota.rotas.views); accounts knows nothing of rota.
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

login = auth_views.LoginView.as_view(redirect_authenticated_user=True)
# Django's LogoutView accepts POST only, so a link or a prefetch cannot log anyone out.
logout = auth_views.LogoutView.as_view()
password_reset = auth_views.PasswordResetView.as_view(
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
