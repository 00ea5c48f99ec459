def navigation(request):
    """Nothing per request: the page frame (menu, language switch, its links) comes from the `frame` template tags
    (apps/core/templatetags/frame.py), which build it once per process, language, role and current page."""
    return {}
