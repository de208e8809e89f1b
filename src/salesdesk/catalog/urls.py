from .views import approvals, products

app_name = "catalog"
urlpatterns = [*products.urlpatterns, *approvals.urlpatterns]
