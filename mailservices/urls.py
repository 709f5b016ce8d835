app_name = "mailservices"

urlpatterns = []
