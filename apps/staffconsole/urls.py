app_name = "staffconsole"

urlpatterns: list = []
