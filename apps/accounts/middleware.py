from django.conf import settings
from django.contrib.auth.views import redirect_to_login

# The API answers 401/403 itself (DRF); static files and the language switch work before login.
PUBLIC_PREFIXES = ("/accounts/login/", "/api/", "/static/", "/i18n/", "/healthz")


class LoginRequiredMiddleware:
    """Every page requires login except the login page itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path_info.startswith(PUBLIC_PREFIXES):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)
