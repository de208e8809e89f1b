from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from salesdesk.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/", include("salesdesk.accounts.urls")),
    path("customers/", include("salesdesk.customers.urls")),
    path("products/", include("salesdesk.catalog.urls")),
    path("orders/", include("salesdesk.orders.urls")),
    path("finance/", include("salesdesk.finance.urls")),
    path("reports/", include("salesdesk.reports.urls")),
    path("api/v1/", include("salesdesk.api.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
