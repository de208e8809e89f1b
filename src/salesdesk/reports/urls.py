from .views import pack, sales, targets, today

app_name = "reports"
urlpatterns = [*today.urlpatterns, *sales.urlpatterns, *targets.urlpatterns, *pack.urlpatterns]
