from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html",
            authentication_form=views.LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("accounts/", views.AccountView.as_view(), name="account"),
    path("accounts/api-token/revoke/", views.ApiTokenRevokeView.as_view(), name="api_token_revoke"),
    path("", views.home, name="home"),
]
