from .views import orders, shipments

app_name = "orders"
urlpatterns = [*orders.urlpatterns, *shipments.urlpatterns]
