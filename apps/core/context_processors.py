from django.conf import settings


def navigation(request):
    """What the page frame needs: the user's role and the language switch."""
    user = getattr(request, "user", None)
    role = getattr(user, "role", None) if user and user.is_authenticated else None
    context = {"nav_role": role, "available_languages": settings.LANGUAGES}
    if user is not None and user.is_authenticated and user.is_marketplace_staff:
        from apps.staffconsole.menu import staff_menu  # the staff console's sections (apps/staffconsole/menu.py)

        context["staff_menu"] = staff_menu(request)
    return context
