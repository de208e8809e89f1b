"""pack pages."""

urlpatterns: list = []
