app_name = "messagetools"

urlpatterns = []
