from .views import customers, followups, imports, pipeline

app_name = "customers"
urlpatterns = [
    *customers.urlpatterns,
    *followups.urlpatterns,
    *pipeline.urlpatterns,
    *imports.urlpatterns,
]
