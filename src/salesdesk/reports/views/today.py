"""today pages."""

urlpatterns: list = []
