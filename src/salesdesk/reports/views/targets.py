"""targets pages."""

urlpatterns: list = []
