"""The JSON API: each app's api module registers its endpoints on one router."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from salesdesk.catalog import api as catalog_api
from salesdesk.customers import api as customers_api
from salesdesk.finance import api as finance_api
from salesdesk.orders import api as orders_api
from salesdesk.reports import api as reports_api

from . import views

router = DefaultRouter()
customers_api.register(router)
catalog_api.register(router)
orders_api.register(router)
finance_api.register(router)
reports_api.register(router)

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    *customers_api.extra_urls(),
    *catalog_api.extra_urls(),
    *orders_api.extra_urls(),
    *finance_api.extra_urls(),
    *reports_api.extra_urls(),
    path("", include(router.urls)),
]
