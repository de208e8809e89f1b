from .views import disputes, receivables, reconciliation

app_name = "finance"
urlpatterns = [*receivables.urlpatterns, *reconciliation.urlpatterns, *disputes.urlpatterns]
