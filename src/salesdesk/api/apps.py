from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "salesdesk.api"
    verbose_name = "API"
