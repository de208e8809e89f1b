"""sales pages."""

urlpatterns: list = []
